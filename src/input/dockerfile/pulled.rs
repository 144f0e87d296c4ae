//! Images a build pulls outside FROM: `COPY --from=<image>` (and ADD's) and
//! `RUN --mount=type=...,from=<image>` name a stage or an image; an image is pulled from
//! its registry like a base image, so the image practices judge it too.

use std::collections::HashSet;

/// The flags of a COPY, ADD or RUN that name a stage or an image, as (flag, reference as
/// written).
pub fn source_flags<'a>(cmd: &str, flags: &'a [String]) -> Vec<(&'a str, &'a str)> {
    let mut out = Vec::new();
    for flag in flags {
        match cmd {
            "copy" | "add" => {
                if let Some(reference) = flag.strip_prefix("--from=") {
                    out.push((flag.as_str(), reference));
                }
            }
            "run" => {
                let Some(options) = flag.strip_prefix("--mount=") else {
                    continue;
                };
                // A mount's options are `key=value` pairs separated by commas, any type
                // (bind, cache, ...) may read from an image.
                for option in options.split(',') {
                    let (key, value) = option.split_once('=').unwrap_or((option, ""));
                    if key.trim().eq_ignore_ascii_case("from") {
                        out.push((flag.as_str(), value.trim()));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// Whether an expanded `--from` value names a stage: a stage name of the file (in any
/// case, as BuildKit compares them) or a stage index.
pub fn names_a_stage(reference: &str, stage_names: &HashSet<String>) -> bool {
    (!reference.is_empty() && reference.bytes().all(|b| b.is_ascii_digit()))
        || stage_names.contains(&reference.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_from_and_mounts_from_of_any_type_name_sources() {
        let flags = |f: &[&str]| f.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let copy = flags(&["--chown=1:1", "--from=composer:2"]);
        assert_eq!(
            source_flags("copy", &copy),
            [("--from=composer:2", "composer:2")]
        );
        let run = flags(&[
            "--mount=type=bind,from=alpine:3,target=/x",
            "--mount=type=cache,target=/c,from=builder",
            "--mount=type=secret,id=x",
            "--network=none",
        ]);
        let found: Vec<&str> = source_flags("run", &run).iter().map(|p| p.1).collect();
        assert_eq!(found, ["alpine:3", "builder"]);
        assert!(source_flags("run", &copy).is_empty());
        assert!(source_flags("copy", &run).is_empty());
    }

    #[test]
    fn stage_names_and_indexes_are_not_images() {
        let names: HashSet<String> = ["build".to_string()].into();
        assert!(names_a_stage("build", &names));
        assert!(names_a_stage("Build", &names));
        assert!(names_a_stage("0", &names));
        assert!(!names_a_stage("composer:2", &names));
        assert!(!names_a_stage("", &names));
    }
}
