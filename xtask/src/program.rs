//! `src/policy/bundled.rvm`: the bundled library compiled for the VM ahead of time, which
//! a run uses instead of compiling at start-up (and does not use when it is stale).

use dockpolicy::policy::vm;

use crate::Derived;

pub fn derive() -> anyhow::Result<Derived> {
    let program = vm::bundled_program().map_err(anyhow::Error::msg)?;
    Ok(Derived {
        path: "src/policy/bundled.rvm".into(),
        content: Some(program),
    })
}
