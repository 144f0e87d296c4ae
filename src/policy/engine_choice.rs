//! Which engine evaluates a run's policies: what the user asked for, what the command
//! knows of the run's size, and the one decision (`vm_program`) that weighs what the
//! bytecode VM saves against what getting its program costs.

use std::path::Path;

/// The engine the user asked for (`test --engine`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EngineChoice {
    /// The bundled practices on the bytecode VM where `vm_program` finds that it may run
    /// them and that it pays, everything else on the interpreter.
    Auto,
    /// The interpreter alone. The default of a load that does not ask: only `test`
    /// evaluates enough inputs for the VM to matter.
    #[default]
    Interpreter,
}

impl EngineChoice {
    /// The name `--engine` takes.
    pub fn name(self) -> &'static str {
        match self {
            EngineChoice::Auto => "auto",
            EngineChoice::Interpreter => "interpreter",
        }
    }
}

/// What the command knows, when it loads the policies, of how many inputs the run checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RunSize {
    /// The inputs were found before the policies were loaded: this many.
    Counted(usize),
    /// Not counted yet (the policies load while the inputs are being found), but likely
    /// many: see `likely_many`. A run that finds only a few after all keeps the program
    /// it compiled: by then that cost is paid.
    #[default]
    Many,
}

/// The fewest inputs over which compiling a VM program for the run costs less than the
/// VM then saves over the interpreter.
const MANY_INPUTS: usize = 4;

/// Whether a run over the `named` paths likely checks many inputs: a directory, or
/// several paths. The command may then load the policies (`RunSize::Many`) while it is
/// still finding the inputs.
pub fn likely_many(named: &[impl AsRef<Path>]) -> bool {
    named.len() >= MANY_INPUTS || named.iter().any(|p| p.as_ref().is_dir())
}

/// The policy set's traits that decide whether the VM may run it and where its program
/// can come from.
#[derive(Debug, Clone, Copy)]
pub(super) struct SetTraits {
    /// A user's module adds to a bundled package (even a helper package with no result
    /// rule).
    pub user_in_bundled: bool,
    /// The bundled library alone: no policies or data of the user's, which could change
    /// what its rules mean.
    pub bundled_alone: bool,
}

/// Where the run's VM program comes from, if it has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum VmProgram {
    /// No program: the interpreter evaluates everything.
    None,
    /// The program compiled into the binary (`vm::embedded`), when it is exactly this
    /// set's; no program otherwise.
    Embedded,
    /// The program compiled into the binary when it is this set's, else one compiled now.
    EmbeddedOrCompiled,
    /// One compiled now.
    Compiled,
}

/// Whether the run evaluates on the VM, and with which program: the one place this is
/// decided.
///
/// * `--engine interpreter` never uses the VM.
/// * The VM runs only the bundled practices, whose results CI compares with the
///   interpreter's on the corpus and every fixture; that cannot be done for policies we
///   have never seen, and the VM does differ on some (it lets `x := <undefined>` succeed,
///   and turns some builtin errors into undefined). A user's module in a bundled package
///   would be compiled into the program with the bundled rules that call it, and only
///   the interpreter has the per-builtin memory guards (see `guard`): such a set runs
///   on the interpreter alone.
/// * The bundled library alone usually has its program compiled into the binary; checking
///   and reading that program costs far less than compiling it, so it is used for a run
///   of any size.
/// * Any other program is compiled at the start of the run, which costs more than the VM
///   saves over a few inputs: only a run of many (counted, or `RunSize::Many`) compiles
///   one. A set the VM cannot compile runs on the interpreter.
pub(super) fn vm_program(engine: EngineChoice, size: RunSize, set: SetTraits) -> VmProgram {
    if engine == EngineChoice::Interpreter || set.user_in_bundled {
        return VmProgram::None;
    }
    let compile_pays = match size {
        RunSize::Counted(inputs) => inputs >= MANY_INPUTS,
        RunSize::Many => true,
    };
    match (set.bundled_alone, compile_pays) {
        (true, true) => VmProgram::EmbeddedOrCompiled,
        (true, false) => VmProgram::Embedded,
        (false, true) => VmProgram::Compiled,
        (false, false) => VmProgram::None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALONE: SetTraits = SetTraits {
        user_in_bundled: false,
        bundled_alone: true,
    };
    const WITH_USER_POLICIES: SetTraits = SetTraits {
        user_in_bundled: false,
        bundled_alone: false,
    };
    const AMENDED: SetTraits = SetTraits {
        user_in_bundled: true,
        bundled_alone: false,
    };

    #[test]
    fn the_interpreter_alone_when_asked_or_when_a_user_module_joins_a_bundled_package() {
        for size in [RunSize::Counted(1), RunSize::Counted(1000), RunSize::Many] {
            for set in [ALONE, WITH_USER_POLICIES, AMENDED] {
                let program = vm_program(EngineChoice::Interpreter, size, set);
                assert_eq!(program, VmProgram::None);
            }
            assert_eq!(
                vm_program(EngineChoice::Auto, size, AMENDED),
                VmProgram::None
            );
        }
    }

    #[test]
    fn only_a_run_of_many_inputs_compiles_a_program() {
        let auto = |size, set| vm_program(EngineChoice::Auto, size, set);
        let few = RunSize::Counted(MANY_INPUTS - 1);
        let many = RunSize::Counted(MANY_INPUTS);
        assert_eq!(auto(few, ALONE), VmProgram::Embedded);
        assert_eq!(auto(many, ALONE), VmProgram::EmbeddedOrCompiled);
        assert_eq!(auto(RunSize::Many, ALONE), VmProgram::EmbeddedOrCompiled);
        assert_eq!(auto(few, WITH_USER_POLICIES), VmProgram::None);
        assert_eq!(auto(many, WITH_USER_POLICIES), VmProgram::Compiled);
        assert_eq!(auto(RunSize::Many, WITH_USER_POLICIES), VmProgram::Compiled);
    }

    #[test]
    fn a_directory_or_several_paths_are_likely_many() {
        let dir = env!("CARGO_MANIFEST_DIR");
        assert!(likely_many(&[dir]));
        assert!(likely_many(&["a", "b", "c", "d"]));
        assert!(!likely_many(&["a", "b", "c"]));
        assert!(!likely_many(&[] as &[&str]));
    }
}
