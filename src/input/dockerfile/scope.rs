//! Docker's variable scopes: the value `$NAME` has in each instruction of a stage.
//!
//! BuildKit's rules, which the values of USER, ENV, LABEL, ARG and `--from` follow:
//! * the global scope is the ARGs before the first FROM (with the automatic platform ARGs
//!   and `--build-arg` overrides); only FROM and the global ARGs themselves read it;
//! * a stage starts with no ARGs: a global ARG is visible in it only when the stage
//!   re-declares it (`ARG NAME` takes the global default, `ARG NAME=x` its own default),
//!   and `--build-arg` beats both; the ARGs of the stage it builds FROM are not inherited;
//! * ENV defines a variable for the instructions after it and beats an ARG of the same
//!   name; a stage built FROM an earlier stage starts with that stage's ENV (it is in the
//!   image).
//!
//! Each name is then in one of three states ([`Lookup`]): a known value; unset, which
//! Docker expands to nothing (a global ARG the stage does not re-declare, or an ARG of
//! another stage only); or unknown (an ARG declared without a default, or a name the
//! file never declares, which the base image's ENV may define).

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use super::expand::{Lookup, Variables};

/// A variable's value in a stage; `None` when the Dockerfile does not tell it.
pub type Binding = Option<Rc<str>>;

type Env = HashMap<String, Binding>;

/// How many inherited ENV entries may be copied, over a file, when a stage built FROM an
/// earlier stage changes its ENV. A stage shares its base's ENV until it sets one, and
/// copies it then: thousands of stages each built FROM one stage with a huge ENV must
/// not copy it thousands of times. Past the budget a stage inherits nothing, and every
/// name it does not declare itself is unknown.
const MAX_INHERITED_COPIES: usize = 1 << 20;

/// The variables of the stage being read, and what later stages may inherit.
pub struct StageScope {
    /// Every name any ARG of the file declares (platform ARGs included).
    arg_names: HashSet<String>,
    env: Rc<Env>,
    args: Env,
    /// The ENV each finished stage ends with, by stage index.
    finished: Vec<Rc<Env>>,
    started: bool,
    /// The stage's inherited ENV was dropped (see [`MAX_INHERITED_COPIES`]).
    lossy: bool,
    copies_left: usize,
}

impl StageScope {
    pub fn new(arg_names: HashSet<String>) -> Self {
        Self {
            arg_names,
            env: Rc::default(),
            args: Env::new(),
            finished: Vec::new(),
            started: false,
            lossy: false,
            copies_left: MAX_INHERITED_COPIES,
        }
    }

    /// Starts the next stage, built FROM the stage `base` (an index) or an image.
    pub fn start_stage(&mut self, base: Option<usize>) {
        let previous = std::mem::take(&mut self.env);
        if self.started {
            self.finished.push(previous);
        }
        self.started = true;
        self.env = base
            .and_then(|b| self.finished.get(b))
            .cloned()
            .unwrap_or_default();
        self.args.clear();
        self.lossy = false;
    }

    pub fn set_env(&mut self, name: &str, value: Binding) {
        if Rc::strong_count(&self.env) > 1 {
            let inherited = self.env.len();
            if inherited > self.copies_left {
                self.env = Rc::default();
                self.lossy = true;
            } else {
                self.copies_left -= inherited;
            }
        }
        Rc::make_mut(&mut self.env).insert(name.to_owned(), value);
    }

    pub fn declare_arg(&mut self, name: &str, value: Binding) {
        self.args.insert(name.to_owned(), value);
    }
}

impl Variables for StageScope {
    fn lookup(&self, name: &str) -> Lookup<'_> {
        match self.env.get(name).or_else(|| self.args.get(name)) {
            Some(Some(value)) => Lookup::Value(value),
            Some(None) => Lookup::Unknown,
            None if !self.lossy && self.arg_names.contains(name) => Lookup::Unset,
            None => Lookup::Unknown,
        }
    }
}

/// Where nothing is known: ONBUILD triggers expand in the scope of each child build.
pub struct NoVariables;

impl Variables for NoVariables {
    fn lookup(&self, _: &str) -> Lookup<'_> {
        Lookup::Unknown
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use serde_json::{Value, json};

    use crate::input::dockerfile::{Options, parse, to_json};

    fn doc_with(text: &str, options: &Options) -> Vec<Value> {
        match to_json(&parse(text, options).expect("parses")) {
            Value::Array(items) => items,
            other => panic!("{other}"),
        }
    }

    fn doc(text: &str) -> Vec<Value> {
        doc_with(text, &Options::default())
    }

    /// The last USER's `User`.
    fn user(text: &str) -> Value {
        let items = doc(text);
        let user = items.iter().rev().find(|i| i["Cmd"] == "user");
        user.expect("a USER")["User"].clone()
    }

    fn known(value: &str) -> Value {
        json!({"value": value, "resolved": true})
    }

    fn unknown(value: &str) -> Value {
        json!({"value": value, "resolved": false})
    }

    #[test]
    fn a_global_arg_is_unset_in_a_stage_that_does_not_redeclare_it() {
        assert_eq!(
            user("ARG APP_UID=1000\nFROM a\nUSER ${APP_UID}\n"),
            known("")
        );
        assert_eq!(
            user("ARG APP_UID=1000\nFROM a\nUSER $APP_UID:0\n"),
            known(":0")
        );
        assert_eq!(
            user("ARG APP_UID=1000\nFROM a\nARG APP_UID\nUSER ${APP_UID}\n"),
            known("1000")
        );
        // The platform ARGs are global ones.
        assert_eq!(user("FROM a\nUSER $TARGETARCH\n"), known(""));
        assert_eq!(
            user("FROM a\nARG TARGETARCH\nUSER $TARGETARCH\n"),
            known("amd64")
        );
    }

    #[test]
    fn a_stage_default_beats_the_global_one_and_build_args_beat_both() {
        let text = "ARG UID=0\nFROM a\nARG UID=10001\nUSER ${UID}\n";
        assert_eq!(user(text), known("10001"));
        let options = Options {
            build_args: HashMap::from([("UID".to_string(), "5".to_string())]),
        };
        let items = doc_with(text, &options);
        assert_eq!(items[3]["User"], known("5"));
        // The pair shows the default as written and expanded, not the build argument.
        assert_eq!(items[2]["Pairs"][0]["expanded"], "10001");
    }

    #[test]
    fn args_of_the_base_stage_are_not_inherited_but_its_env_is() {
        let text = "FROM a AS base\nARG X=1\nENV Y=2\nFROM base\nUSER $X:$Y\n";
        assert_eq!(user(text), known(":2"));
        // An ARG of another stage only is unset too.
        assert_eq!(user("FROM a AS one\nARG X=1\nFROM b\nUSER $X\n"), known(""));
        assert_eq!(user("FROM b\nUSER $X\nFROM a AS one\nARG X=1\n"), known(""));
        // ENV of an unrelated stage is not in this image, and not an ARG: unknown.
        assert_eq!(user("FROM a\nENV X=1\nFROM b\nUSER $X\n"), unknown(""));
    }

    #[test]
    fn env_beats_an_arg_of_the_same_name() {
        assert_eq!(
            user("FROM a\nARG U=1\nENV U=2\nARG U=3\nUSER $U\n"),
            known("2")
        );
        assert_eq!(user("FROM a\nARG U=1\nUSER $U\nENV U=2\n"), known("1"));
    }

    #[test]
    fn unknown_values_are_unresolved_and_defaults_are_used() {
        assert_eq!(user("FROM a\nARG U\nUSER $U\n"), unknown(""));
        assert_eq!(user("FROM a\nUSER ${NEVER_DECLARED}\n"), unknown(""));
        assert_eq!(user("FROM a\nUSER ${APP_USER:-root}\n"), known("root"));
        assert_eq!(user("ARG U=x\nFROM a\nUSER ${U:-root}\n"), known("root"));
        assert_eq!(user("FROM a\nARG U\nUSER \"${U}\"\n"), unknown(""));
        // A global ARG without a default re-declared: still unknown.
        assert_eq!(user("ARG U\nFROM a\nARG U\nUSER $U\n"), unknown(""));
    }

    #[test]
    fn every_expansion_form_follows_the_shell_lexer() {
        let items = doc(
            "FROM a\nARG V=x E=\nLABEL a=${E:-d} b=${E-d} c=${V:+alt} d=${E:+alt} e=${E+alt} \
             f=\\$V g='$V' h=\"$V\" i=${V:?m} j=${U:?m}\n",
        );
        let expanded: Vec<&Value> = items[2]["Pairs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| &p["expanded"])
            .collect();
        assert_eq!(
            expanded,
            ["d", "", "alt", "", "alt", "$V", "$V", "x", "x", "(unknown)"]
                .iter()
                .map(|s| if *s == "(unknown)" {
                    json!("")
                } else {
                    json!(s)
                })
                .collect::<Vec<_>>()
                .iter()
                .collect::<Vec<_>>()
        );
        assert_eq!(items[2]["Pairs"][9]["resolved"], false);
        assert_eq!(items[2]["Pairs"][0]["value"], "${E:-d}");
        let items = doc("# escape=`\nFROM a\nARG V=x\nLABEL a=`$V b=$V c=\\$V\n");
        let pairs = &items[2]["Pairs"];
        assert_eq!(
            [
                &pairs[0]["expanded"],
                &pairs[1]["expanded"],
                &pairs[2]["expanded"]
            ],
            [&json!("$V"), &json!("x"), &json!("\\x")]
        );
    }

    #[test]
    fn an_instruction_expands_with_the_scope_before_it() {
        let items = doc("FROM a\nENV A=1 B=$A\nENV C=$A\n");
        assert_eq!(items[1]["Pairs"][1]["resolved"], false);
        assert_eq!(items[2]["Pairs"][0]["expanded"], "1");
        let items = doc("FROM a\nARG N\nARG M=2\n");
        assert_eq!(
            items[1]["Pairs"][0],
            json!({"key": "N", "value": null, "expanded": null, "resolved": false})
        );
        assert_eq!(items[2]["Pairs"][0]["resolved"], true);
    }

    #[test]
    fn onbuild_triggers_have_pairs_whose_variables_are_unknown() {
        let items = doc("FROM a\nARG V=x\nONBUILD ENV A=$V B=lit\nONBUILD ARG C\nONBUILD RUN x\n");
        let env = &items[2]["Pairs"];
        assert_eq!(env[0]["key"], "A");
        assert_eq!(env[0]["resolved"], false);
        assert_eq!(env[1]["expanded"], "lit");
        assert_eq!(items[3]["Pairs"][0]["value"], Value::Null);
        assert_eq!(items[4].get("Pairs"), None);
    }

    #[test]
    fn images_pulled_outside_from_are_listed_and_stages_are_not() {
        let items = doc("FROM golang:1.23 AS build\n\
             FROM alpine:3.20\n\
             ARG IMG=ghcr.io/x/y:latest\n\
             COPY --from=composer:2 /usr/bin/composer /c\n\
             COPY --from=build /a /b\n\
             COPY --from=0 /a /b\n\
             COPY --from=Build /a /b\n\
             COPY --from=${IMG} /a /b\n\
             COPY --from=later /a /b\n\
             RUN --mount=type=bind,from=alpine:3,target=/x --mount=type=cache,from=build,target=/c make\n\
             ADD --from=${UNKNOWN_IMG} /a /b\n\
             FROM scratch AS later\n");
        let images: Vec<(u64, &Value)> = items
            .iter()
            .filter_map(|i| Some((i["StartLine"].as_u64()?, i.get("Images")?)))
            .collect();
        assert_eq!(images.len(), 3, "{images:?}");
        assert_eq!(images[0].0, 4);
        assert_eq!(
            images[0].1,
            &json!([{
                "Image": "composer:2",
                "ImageResolved": true,
                "ImageRef": {"registry": "", "host": "docker.io", "repository": "library/composer", "tag": "2", "digest": ""},
                "Flag": "--from=composer:2",
            }])
        );
        assert_eq!(images[1].0, 8);
        assert_eq!(images[1].1[0]["Image"], "ghcr.io/x/y:latest");
        assert_eq!(images[2].0, 10);
        assert_eq!(images[2].1.as_array().map(Vec::len), Some(1));
        assert_eq!(images[2].1[0]["Image"], "alpine:3");
    }

    #[test]
    fn inheriting_a_huge_env_is_bounded() {
        // Stages built FROM one stage share its ENV; each that sets its own copies it,
        // until the copy budget is spent: then it inherits nothing (unknown, not unset).
        let mut text = String::from("FROM a AS base\nENV");
        for n in 0..(super::MAX_INHERITED_COPIES / 4) {
            text.push_str(&format!(" V{n}=1"));
        }
        text.push('\n');
        for _ in 0..6 {
            text.push_str("FROM base\nENV X=1\nUSER $V0\n");
        }
        let items = doc(&text);
        let users: Vec<&Value> = items.iter().filter_map(|i| i.get("User")).collect();
        assert_eq!(users[..4], [&known("1"); 4]);
        assert_eq!(users[4..], [&unknown(""); 2]);
    }
}
