//! SPDX documents in tag-value form (`*.spdx`), as conftest's `spdx` parser reads them:
//! spdx/tools-golang reads the document with the rules of its `SPDXVersion` (2.1, 2.2 or
//! 2.3; an older one is converted and then says `SPDX-2.3`), and policies get the JSON of
//! its SPDX 2.3 types. Errors name the line of the tag they are about.
//! (SPDX JSON documents, `*.spdx.json`, are plain JSON there, and here.)

mod document;
mod identifiers;
mod reader;
mod tag_value;

use serde_json::Value;

/// The SPDX versions tools-golang reads; each has its own tags and checksum algorithms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Version {
    V2_1,
    V2_2,
    V2_3,
}

impl Version {
    fn of(name: &str) -> Option<Version> {
        match name {
            "SPDX-2.1" => Some(Version::V2_1),
            "SPDX-2.2" => Some(Version::V2_2),
            "SPDX-2.3" => Some(Version::V2_3),
            _ => None,
        }
    }

    fn checksum_algorithms(self) -> &'static [&'static str] {
        const V2_1: &[&str] = &["SHA1", "SHA256", "MD5"];
        const V2_2: &[&str] = &[
            "SHA1", "SHA224", "SHA256", "SHA384", "SHA512", "MD2", "MD4", "MD5", "MD6",
        ];
        const V2_3: &[&str] = &[
            "SHA1",
            "SHA224",
            "SHA256",
            "SHA384",
            "SHA512",
            "MD2",
            "MD4",
            "MD5",
            "MD6",
            "SHA3-256",
            "SHA3-384",
            "SHA3-512",
            "BLAKE2b-256",
            "BLAKE2b-384",
            "BLAKE2b-512",
            "BLAKE3",
            "ADLER32",
        ];
        match self {
            Version::V2_1 => V2_1,
            Version::V2_2 => V2_2,
            Version::V2_3 => V2_3,
        }
    }
}

/// Why a document could not be read, and the line, when there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Failure {
    line: Option<usize>,
    message: String,
}

impl Failure {
    fn at(line: usize, message: String) -> Failure {
        Failure {
            line: Some(line),
            message,
        }
    }
}

/// How many more packages and files the JSON may list than the document has lines: a
/// package whose `SPDXID` is repeated is listed again with all its files, so a small
/// document could otherwise ask for a quadratically large one.
const MAX_EXTRA_ELEMENTS: usize = 100_000;

/// Parses a tag-value SPDX document into the JSON conftest gives policies.
pub fn parse(text: &str) -> Result<Value, (Option<usize>, String)> {
    read(text).map_err(|f| (f.line, f.message))
}

fn read(text: &str) -> Result<Value, Failure> {
    let pairs = tag_value::read(text)?;
    if pairs.is_empty() {
        return Err(Failure {
            line: None,
            message: "no tag values found".to_owned(),
        });
    }
    let declared = pairs.iter().find(|p| p.tag == "SPDXVersion");
    let version = declared.and_then(|p| Version::of(&p.value));
    let Some(version) = version else {
        return Err(Failure {
            line: declared.map(|p| p.line),
            message: format!(
                "unsupported SPDX version: '{}'",
                declared.map_or("", |p| &p.value)
            ),
        });
    };
    let document = reader::read(&pairs, version)?;
    let listed = document.listed_elements();
    let lines = text.lines().count();
    if listed > lines + MAX_EXTRA_ELEMENTS {
        return Err(Failure {
            line: None,
            message: format!(
                "repeated SPDXIDs would list {listed} packages and files, over the bound of \
                 {MAX_EXTRA_ELEMENTS} more than the document's lines"
            ),
        });
    }
    document.to_json()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\nSPDXID: SPDXRef-DOCUMENT\n\
                        Creator: Tool: t\nCreated: 2024-01-01T00:00:00Z\n";

    fn doc(body: &str) -> Value {
        parse(&format!("{HEAD}{body}")).unwrap()
    }

    /// The error's line (counted from the first line of `body`) and message.
    fn error(body: &str) -> (Option<usize>, String) {
        let head_lines = HEAD.lines().count();
        let (line, message) = parse(&format!("{HEAD}{body}")).unwrap_err();
        (line.map(|l| l - head_lines), message)
    }

    #[test]
    fn packages_own_the_files_that_follow_them() {
        let d = doc("FileName: loose\nSPDXID: SPDXRef-loose\n\
                     PackageName: p\nSPDXID: SPDXRef-p\nFileName: a\nSPDXID: SPDXRef-a\n");
        assert_eq!(d["files"][0]["fileName"], "loose");
        assert_eq!(d["files"][0]["checksums"], Value::Null);
        assert_eq!(d["packages"][0]["files"][0]["SPDXID"], "SPDXRef-a");
        assert_eq!(d["packages"][0]["filesAnalyzed"], true);
        assert!(d.get("relationships").is_none());
    }

    #[test]
    fn suppliers_and_originators_keep_their_kind() {
        let d = doc(
            "PackageName: p\nSPDXID: SPDXRef-p\nPackageSupplier: Organization: Acme\n\
                     PackageOriginator: NOASSERTION\nFilesAnalyzed: false\n",
        );
        let p = &d["packages"][0];
        assert_eq!(p["supplier"], "Organization: Acme");
        assert_eq!(p["originator"], "NOASSERTION");
        assert_eq!(p["filesAnalyzed"], false);
        assert_eq!(d["creationInfo"]["creators"][0], "Tool: t");
    }

    #[test]
    fn snippets_and_reviews_are_checked_but_not_written() {
        let d = doc("FileName: f\nSPDXID: SPDXRef-f\nSnippetSPDXID: SPDXRef-s\n\
                     SnippetByteRange: 1:2\nReviewer: Person: r\nReviewDate: d\n");
        assert!(d.get("snippets").is_none());
        assert_eq!(
            error(
                "FileName: f\nSPDXID: SPDXRef-f\nSnippetSPDXID: SPDXRef-s\nSnippetLineRange: 1:x\n"
            )
            .0,
            Some(4)
        );
    }

    #[test]
    fn older_versions_are_converted_with_their_own_rules() {
        let old = "SPDXVersion: SPDX-2.2\nPackageName: p\nSPDXID: SPDXRef-p\n";
        let d = parse(old).unwrap();
        assert_eq!(d["spdxVersion"], "SPDX-2.3");
        assert_eq!(
            d["packages"][0]["packageVerificationCode"]["packageVerificationCodeValue"],
            ""
        );
        let (line, message) = parse(&format!("{old}PrimaryPackagePurpose: LIBRARY\n")).unwrap_err();
        assert_eq!(line, Some(4));
        assert!(message.contains("unknown tag PrimaryPackagePurpose in Package section"));
        let (_, message) =
            parse("SPDXVersion: SPDX-2.1\nRelationship: SPDXRef-a DESCRIBES NONE\n").unwrap_err();
        assert!(message.contains("missing SPDXRef- prefix"));
    }

    #[test]
    fn malformed_lines_name_their_line() {
        for (body, line, expected) in [
            ("Foo: bar\n", 1, "unknown tag Foo in CreationInfo section"),
            ("PackageName: p\nSPDXID: p\n", 2, "missing SPDXRef- prefix"),
            (
                "PackageName: p\nPackageVersion: 1\n",
                1,
                "PackageName p does not have SPDX identifier",
            ),
            (
                "FileName: f\nFileName: g\nSPDXID: SPDXRef-g\n",
                2,
                "FileName f does not have",
            ),
            ("Creator: Robot: r\n", 1, "unrecognized Creator type Robot"),
            ("Creator: Tool:\n", 1, "names no one"),
            (
                "PackageName: p\nSPDXID: SPDXRef-p\nPackageSupplier: Person:\n",
                3,
                "invalid Supplier",
            ),
            (
                "PackageName: p\nSPDXID: SPDXRef-p\nPackageChecksum: CRC32: 1\n",
                3,
                "unknown checksum type CRC32",
            ),
            (
                "PackageName: p\nSPDXID: SPDXRef-p\nExternalRefComment: c\n",
                3,
                "no current ExternalRef",
            ),
            (
                "Relationship: SPDXRef-a DESCRIBES\n",
                1,
                "invalid relationship format",
            ),
            ("RelationshipComment: c\n", 1, "no relationship"),
            ("AnnotationType: OTHER\n", 1, "no annotation"),
            (
                "LicenseID: LicenseRef-x\nFileName: f\n",
                2,
                "unknown tag FileName in OtherLicense section",
            ),
            ("no colon\n", 1, "no colon found in 'no colon'"),
            (
                "PackageName: p\nSPDXID: SPDXRef-p\nPackageComment: <text>open\n",
                3,
                "</text>",
            ),
        ] {
            let (got_line, message) = error(body);
            assert_eq!(got_line, Some(line), "{body:?}: {message}");
            assert!(message.contains(expected), "{body:?}: {message}");
        }
    }

    #[test]
    fn documents_without_pairs_or_a_known_version_are_errors() {
        assert_eq!(
            parse("# nothing\n\n").unwrap_err(),
            (None, "no tag values found".to_owned())
        );
        let (line, message) = parse("DataLicense: x\nSPDXVersion: SPDX-3.0\n").unwrap_err();
        assert_eq!(
            (line, message.as_str()),
            (Some(2), "unsupported SPDX version: 'SPDX-3.0'")
        );
    }

    #[test]
    fn repeated_identifiers_cannot_multiply_the_output_without_bound() {
        let mut text = String::from("SPDXVersion: SPDX-2.3\nPackageName: p\n");
        text.push_str(&"SPDXID: SPDXRef-p\n".repeat(2_000));
        for i in 0..100 {
            text.push_str(&format!("FileName: f{i}\nSPDXID: SPDXRef-f{i}\n"));
        }
        assert!(parse(&text).unwrap_err().1.contains("repeated SPDXIDs"));
    }
}
