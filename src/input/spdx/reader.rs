//! Tag-value pairs → `Document`, section by section, as tools-golang's readers for SPDX
//! 2.1, 2.2 and 2.3 go through them. A document is a sequence of sections that begin with
//! a tag (`PackageName`, `FileName`, `SnippetSPDXID`, `LicenseID`, `Reviewer`); a tag
//! that its section does not know is an error. Relationships and annotations may come in
//! any section after the document's creation information; `RelationshipComment` and the
//! other annotation tags extend the last one. A package or file counts once its `SPDXID`
//! is read: files belong to the package they follow, or to the document before any.

use super::document::{
    Agent, Annotation, Artifact, Checksum, Creation, Document, ExternalDocument, ExternalRef, File,
    OtherLicense, Package, Relationship, VerificationCode,
};
use super::identifiers::{
    ElementRef, element_id, external_document, go_atoi, kind_and_rest, words,
};
use super::tag_value::Pair;
use super::{Failure, Version};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Start,
    CreationInfo,
    Package,
    File,
    Snippet,
    OtherLicense,
    Review,
}

impl Section {
    fn name(self) -> &'static str {
        match self {
            Section::Start | Section::CreationInfo => "CreationInfo",
            Section::Package => "Package",
            Section::File => "File",
            Section::Snippet => "Snippet",
            Section::OtherLicense => "OtherLicense",
            Section::Review => "Review",
        }
    }
}

struct Reader {
    version: Version,
    doc: Document,
    section: Section,
    package: Option<usize>,
    /// The current package's last `ExternalRef`, while `ExternalRefComment` may follow.
    external_ref: Option<usize>,
    file: Option<usize>,
    /// The current file's last artifact, while its home page and URI may follow.
    artifact: Option<usize>,
    other_license: Option<usize>,
    relationship: Option<usize>,
    annotation: Option<usize>,
}

/// Builds the document of `pairs`, read with the rules of `version`.
pub fn read(pairs: &[Pair], version: Version) -> Result<Document, Failure> {
    let mut reader = Reader {
        version,
        doc: Document {
            converted: version != Version::V2_3,
            ..Document::default()
        },
        section: Section::Start,
        package: None,
        external_ref: None,
        file: None,
        artifact: None,
        other_license: None,
        relationship: None,
        annotation: None,
    };
    for pair in pairs {
        reader
            .pair(&pair.tag, &pair.value, pair.line)
            .map_err(|message| Failure::at(pair.line, message))?;
    }
    if let Some(f) = reader.file_without_id() {
        return Err(Failure::at(f.line, file_without_id(f)));
    }
    if let Some(p) = reader.package.map(|p| &reader.doc.package_store[p])
        && p.id.is_empty()
    {
        return Err(Failure::at(p.line, package_without_id(p)));
    }
    Ok(reader.doc)
}

fn file_without_id(f: &File) -> String {
    format!(
        "file with FileName {} does not have SPDX identifier",
        f.name
    )
}

fn package_without_id(p: &Package) -> String {
    format!(
        "package with PackageName {} does not have SPDX identifier",
        p.name
    )
}

impl Reader {
    fn pair(&mut self, tag: &str, value: &str, line: usize) -> Result<(), String> {
        match self.section {
            Section::Start => self.start(tag, value, line),
            Section::CreationInfo => self.creation_info(tag, value, line),
            Section::Package => self.package(tag, value, line),
            Section::File => self.file(tag, value, line),
            Section::Snippet => self.snippet(tag, value, line),
            Section::OtherLicense => self.other_license(tag, value, line),
            Section::Review => self.review(tag, value, line),
        }
    }

    fn unknown(&self, tag: &str) -> Result<(), String> {
        Err(format!(
            "received unknown tag {tag} in {} section",
            self.section.name()
        ))
    }

    fn start(&mut self, tag: &str, value: &str, line: usize) -> Result<(), String> {
        let doc = &mut self.doc;
        match tag {
            "DocumentComment" => doc.comment = value.to_owned(),
            "SPDXVersion" => doc.version = value.to_owned(),
            "DataLicense" => doc.data_license = value.to_owned(),
            "SPDXID" => doc.id = element_id(value)?,
            "DocumentName" => doc.name = value.to_owned(),
            "DocumentNamespace" => doc.namespace = value.to_owned(),
            "ExternalDocumentRef" => {
                let [id, uri, algorithm, checksum] = external_document(value)?;
                doc.external_documents.push(ExternalDocument {
                    id,
                    uri,
                    algorithm,
                    checksum,
                });
            }
            _ => {
                self.section = Section::CreationInfo;
                return self.creation_info(tag, value, line);
            }
        }
        Ok(())
    }

    fn creation_info(&mut self, tag: &str, value: &str, line: usize) -> Result<(), String> {
        let creation = self.doc.creation.get_or_insert_with(Creation::default);
        match tag {
            "LicenseListVersion" => creation.license_list_version = value.to_owned(),
            "Creator" => {
                let (kind, name) = kind_and_rest(value)?;
                if !matches!(kind, "Person" | "Organization" | "Tool") {
                    return Err(format!("unrecognized Creator type {kind}"));
                }
                creation.creators.push(agent(kind, name, line));
            }
            "Created" => creation.created = value.to_owned(),
            "CreatorComment" => creation.comment = value.to_owned(),
            "PackageName" => {
                if let Some(f) = self.file_without_id() {
                    return Err(file_without_id(f));
                }
                self.section = Section::Package;
                self.package = Some(self.new_package(line));
                return self.package(tag, value, line);
            }
            "FileName" => {
                self.section = Section::File;
                self.package = None;
                return self.file(tag, value, line);
            }
            "DocumentComment" if self.version != Version::V2_1 => {
                self.section = Section::Start;
                return self.start(tag, value, line);
            }
            _ => return self.anywhere(tag, value, line),
        }
        Ok(())
    }

    /// The tags every section after the start takes: relationships, annotations, and the
    /// sections that may begin anywhere (`LicenseID`, `Reviewer`). (`Review` handles its own.)
    fn anywhere(&mut self, tag: &str, value: &str, line: usize) -> Result<(), String> {
        match tag {
            "LicenseID" if self.section != Section::Review => {
                self.section = Section::OtherLicense;
                self.other_license(tag, value, line)
            }
            "Reviewer" if self.section != Section::Review => {
                self.section = Section::Review;
                self.review(tag, value, line)
            }
            "Relationship" => self.relationship(value),
            "RelationshipComment" => {
                let r = self
                    .relationship
                    .ok_or("no relationship struct created in parser rln pointer")?;
                self.doc.relationships[r].comment = value.to_owned();
                Ok(())
            }
            "Annotator" | "AnnotationDate" | "AnnotationType" | "SPDXREF" | "AnnotationComment" => {
                self.annotation(tag, value, line)
            }
            _ => self.unknown(tag),
        }
    }

    fn relationship(&mut self, value: &str) -> Result<(), String> {
        let parts = words(value);
        let [from, kind, to] = parts.as_slice() else {
            return Err(format!("invalid relationship format for {value}"));
        };
        let from = ElementRef::parse(from)?;
        let to = if self.version == Version::V2_1 {
            ElementRef::parse(to)?
        } else {
            ElementRef::parse_or_special(to, &["NONE", "NOASSERTION"])?
        };
        self.doc.relationships.push(Relationship {
            from,
            to,
            kind: (*kind).to_owned(),
            comment: String::new(),
        });
        self.relationship = Some(self.doc.relationships.len() - 1);
        Ok(())
    }

    fn annotation(&mut self, tag: &str, value: &str, line: usize) -> Result<(), String> {
        if tag == "Annotator" {
            let (kind, name) = kind_and_rest(value)?;
            if !matches!(kind, "Person" | "Organization" | "Tool") {
                return Err(format!("unrecognized Annotator type {kind}"));
            }
            self.doc.annotations.push(Annotation {
                annotator: agent(kind, name, line),
                date: String::new(),
                kind: String::new(),
                comment: String::new(),
            });
            self.annotation = Some(self.doc.annotations.len() - 1);
            return Ok(());
        }
        let a = self
            .annotation
            .ok_or("no annotation struct created in parser ann pointer")?;
        let annotation = &mut self.doc.annotations[a];
        match tag {
            "AnnotationDate" => annotation.date = value.to_owned(),
            "AnnotationType" => annotation.kind = value.to_owned(),
            // The subject is checked but not kept: tools-golang's JSON does not write it.
            "SPDXREF" => drop(ElementRef::parse(value)?),
            _ => annotation.comment = value.to_owned(),
        }
        Ok(())
    }

    fn new_package(&mut self, line: usize) -> usize {
        self.doc.package_store.push(Package::new(line));
        self.doc.package_store.len() - 1
    }

    fn current_package(&mut self) -> &mut Package {
        let p = self.package.expect("the package section has a package");
        &mut self.doc.package_store[p]
    }

    fn file_without_id(&self) -> Option<&File> {
        self.file
            .map(|f| &self.doc.file_store[f])
            .filter(|f| f.id.is_empty())
    }

    fn checksum(&self, value: &str) -> Result<Checksum, String> {
        let (algorithm, checksum) = kind_and_rest(value)?;
        if !self.version.checksum_algorithms().contains(&algorithm) {
            return Err(format!("got unknown checksum type {algorithm}"));
        }
        Ok(Checksum {
            algorithm: algorithm.to_owned(),
            value: checksum.to_owned(),
        })
    }

    fn package(&mut self, tag: &str, value: &str, line: usize) -> Result<(), String> {
        if tag != "ExternalRefComment" {
            self.external_ref = None;
        }
        match tag {
            "PackageName" => {
                let current = self.package.map(|p| &self.doc.package_store[p]);
                if current.is_none_or(|p| !p.name.is_empty()) {
                    if let Some(p) = current.filter(|p| p.id.is_empty()) {
                        return Err(package_without_id(p));
                    }
                    self.package = Some(self.new_package(line));
                }
                self.current_package().name = value.to_owned();
            }
            "FileName" => {
                self.section = Section::File;
                return self.file(tag, value, line);
            }
            "SPDXID" => {
                let id = element_id(value)?;
                let p = self.package.expect("the package section has a package");
                self.doc.package_store[p].id = id;
                self.doc.packages.push(p);
            }
            "PackageSupplier" | "PackageOriginator" => {
                let party = party(tag, value, line)?;
                let package = self.current_package();
                if tag == "PackageSupplier" {
                    package.supplier = Some(party);
                } else {
                    package.originator = Some(party);
                }
            }
            "FilesAnalyzed" => match value {
                "true" => self.current_package().files_analyzed = true,
                "false" => self.current_package().files_analyzed = false,
                _ => {}
            },
            "PackageVerificationCode" => {
                self.current_package().verification_code = Some(verification_code(value));
            }
            "PackageChecksum" => {
                let checksum = self.checksum(value)?;
                self.current_package().checksums.push(checksum);
            }
            "ExternalRef" => {
                let parts = words(value);
                let [category, kind, locator] = parts.as_slice() else {
                    return Err(format!("expected 3 elements, got {}", parts.len()));
                };
                let reference = ExternalRef {
                    category: (*category).to_owned(),
                    kind: (*kind).to_owned(),
                    locator: (*locator).to_owned(),
                    comment: String::new(),
                };
                let refs = &mut self.current_package().external_refs;
                refs.push(reference);
                self.external_ref = Some(refs.len() - 1);
            }
            "ExternalRefComment" => {
                let r = self
                    .external_ref
                    .take()
                    .ok_or("no current ExternalRef found")?;
                self.current_package().external_refs[r].comment = value.to_owned();
            }
            _ => {
                let version = self.version;
                let package = self.current_package();
                if let Some(field) = package_text_field(package, tag, version) {
                    *field = value.to_owned();
                } else if let Some(list) = package_list_field(package, tag, version) {
                    list.push(value.to_owned());
                } else {
                    return self.anywhere(tag, value, line);
                }
            }
        }
        Ok(())
    }

    fn file(&mut self, tag: &str, value: &str, line: usize) -> Result<(), String> {
        if tag != "ArtifactOfProjectHomePage" && tag != "ArtifactOfProjectURI" {
            self.artifact = None;
        }
        match tag {
            "FileName" => {
                if let Some(f) = self.file_without_id() {
                    return Err(file_without_id(f));
                }
                self.doc.file_store.push(File {
                    name: value.to_owned(),
                    line,
                    ..File::default()
                });
                self.file = Some(self.doc.file_store.len() - 1);
                return Ok(());
            }
            "PackageName" => {
                self.section = Section::Package;
                if let Some(f) = self.file_without_id() {
                    return Err(file_without_id(f));
                }
                self.file = None;
                return self.package(tag, value, line);
            }
            "SnippetSPDXID" => {
                self.section = Section::Snippet;
                return self.snippet(tag, value, line);
            }
            _ => {}
        }
        let f = self.file.expect("the file section has a file");
        match tag {
            "SPDXID" => {
                self.doc.file_store[f].id = element_id(value)?;
                match self.package {
                    Some(p) => self.doc.package_store[p].files.push(f),
                    None => self.doc.files.push(f),
                }
            }
            "FileChecksum" => {
                let checksum = self.checksum(value)?;
                self.doc.file_store[f].checksums.push(checksum);
            }
            "ArtifactOfProjectName" => {
                let artifacts = &mut self.doc.file_store[f].artifacts;
                artifacts.push(Artifact {
                    name: value.to_owned(),
                    ..Artifact::default()
                });
                self.artifact = Some(artifacts.len() - 1);
            }
            "ArtifactOfProjectHomePage" | "ArtifactOfProjectURI" => {
                let a = self.artifact.ok_or("no current ArtifactOfProject found")?;
                let artifact = &mut self.doc.file_store[f].artifacts[a];
                if tag == "ArtifactOfProjectURI" {
                    artifact.uri = value.to_owned();
                } else {
                    artifact.home_page = value.to_owned();
                }
            }
            _ => {
                let file = &mut self.doc.file_store[f];
                if let Some(field) = file_text_field(file, tag) {
                    *field = value.to_owned();
                } else if let Some(list) = file_list_field(file, tag, self.version) {
                    list.push(value.to_owned());
                } else {
                    return self.anywhere(tag, value, line);
                }
            }
        }
        Ok(())
    }

    /// Snippets are checked but not kept: tools-golang keeps a tag-value document's
    /// snippets only inside its files, where its JSON does not write them.
    fn snippet(&mut self, tag: &str, value: &str, line: usize) -> Result<(), String> {
        match tag {
            "SnippetSPDXID" => {
                if let Some(f) = self.file_without_id() {
                    return Err(file_without_id(f));
                }
                element_id(value)?;
            }
            "FileName" => {
                self.section = Section::File;
                return self.file(tag, value, line);
            }
            "PackageName" => {
                self.section = Section::Package;
                self.file = None;
                return self.package(tag, value, line);
            }
            "SnippetFromFileSPDXID" => drop(ElementRef::parse(value)?),
            "SnippetByteRange" | "SnippetLineRange" => {
                let (start, end) = kind_and_rest(value)?;
                go_atoi(start)?;
                go_atoi(end)?;
            }
            "SnippetLicenseConcluded"
            | "LicenseInfoInSnippet"
            | "SnippetLicenseComments"
            | "SnippetCopyrightText"
            | "SnippetComment"
            | "SnippetName" => {}
            "SnippetAttributionText" if self.version != Version::V2_1 => {}
            _ => return self.anywhere(tag, value, line),
        }
        Ok(())
    }

    fn other_license(&mut self, tag: &str, value: &str, line: usize) -> Result<(), String> {
        if tag == "LicenseID" {
            self.doc.other_licenses.push(OtherLicense {
                id: value.to_owned(),
                ..OtherLicense::default()
            });
            self.other_license = Some(self.doc.other_licenses.len() - 1);
            return Ok(());
        }
        let l = self
            .other_license
            .expect("the license section has a license");
        let license = &mut self.doc.other_licenses[l];
        match tag {
            "ExtractedText" => license.extracted_text = value.to_owned(),
            "LicenseName" => license.name = value.to_owned(),
            "LicenseCrossReference" => license.cross_references.push(value.to_owned()),
            "LicenseComment" => license.comment = value.to_owned(),
            _ => return self.anywhere(tag, value, line),
        }
        Ok(())
    }

    /// Reviews are checked but not kept: tools-golang's JSON does not write them.
    fn review(&mut self, tag: &str, value: &str, line: usize) -> Result<(), String> {
        match tag {
            "Reviewer" => {
                let (kind, _) = kind_and_rest(value)?;
                if !matches!(kind, "Person" | "Organization" | "Tool") {
                    return Err(format!("unrecognized Reviewer type {kind}"));
                }
            }
            "ReviewDate" | "ReviewComment" => {}
            _ => return self.anywhere(tag, value, line),
        }
        Ok(())
    }
}

fn agent(kind: &str, name: &str, line: usize) -> Agent {
    Agent {
        kind: kind.to_owned(),
        name: name.to_owned(),
        line,
    }
}

/// `PackageSupplier` / `PackageOriginator`: `NOASSERTION`, or a person or organization.
fn party(tag: &str, value: &str, line: usize) -> Result<Agent, String> {
    if value == "NOASSERTION" {
        return Ok(agent("", value, line));
    }
    let (kind, name) = kind_and_rest(value)?;
    if !matches!(kind, "Person" | "Organization") {
        return Err(format!("unrecognized {tag} type {kind}"));
    }
    Ok(agent(kind, name, line))
}

/// `code (excludes: file)`: one excluded file, as tools-golang reads it.
fn verification_code(value: &str) -> VerificationCode {
    match value.split_once("(excludes:") {
        None => VerificationCode {
            value: value.to_owned(),
            excluded_files: Vec::new(),
        },
        Some((code, rest)) => {
            let file = rest.split_once(')').map_or(rest, |(file, _)| file);
            VerificationCode {
                value: code.trim().to_owned(),
                excluded_files: vec![file.trim().to_owned()],
            }
        }
    }
}

fn package_text_field<'a>(
    p: &'a mut Package,
    tag: &str,
    version: Version,
) -> Option<&'a mut String> {
    let field = match tag {
        "PackageVersion" => &mut p.version,
        "PackageFileName" => &mut p.file_name,
        "PackageDownloadLocation" => &mut p.download_location,
        "PackageHomePage" => &mut p.home_page,
        "PackageSourceInfo" => &mut p.source_info,
        "PackageLicenseConcluded" => &mut p.license_concluded,
        "PackageLicenseDeclared" => &mut p.license_declared,
        "PackageLicenseComments" => &mut p.license_comments,
        "PackageCopyrightText" => &mut p.copyright,
        "PackageSummary" => &mut p.summary,
        "PackageDescription" => &mut p.description,
        "PackageComment" => &mut p.comment,
        "PrimaryPackagePurpose" if version == Version::V2_3 => &mut p.primary_purpose,
        "ReleaseDate" if version == Version::V2_3 => &mut p.release_date,
        "BuiltDate" if version == Version::V2_3 => &mut p.built_date,
        "ValidUntilDate" if version == Version::V2_3 => &mut p.valid_until_date,
        _ => return None,
    };
    Some(field)
}

fn package_list_field<'a>(
    p: &'a mut Package,
    tag: &str,
    version: Version,
) -> Option<&'a mut Vec<String>> {
    match tag {
        "PackageLicenseInfoFromFiles" => Some(&mut p.license_info_from_files),
        "PackageAttributionText" if version != Version::V2_1 => Some(&mut p.attribution_texts),
        _ => None,
    }
}

fn file_text_field<'a>(f: &'a mut File, tag: &str) -> Option<&'a mut String> {
    let field = match tag {
        "LicenseConcluded" => &mut f.license_concluded,
        "LicenseComments" => &mut f.license_comments,
        "FileCopyrightText" => &mut f.copyright,
        "FileComment" => &mut f.comment,
        "FileNotice" => &mut f.notice,
        _ => return None,
    };
    Some(field)
}

fn file_list_field<'a>(
    f: &'a mut File,
    tag: &str,
    version: Version,
) -> Option<&'a mut Vec<String>> {
    match tag {
        "FileType" => Some(&mut f.types),
        "LicenseInfoInFile" => Some(&mut f.license_info),
        "FileContributor" => Some(&mut f.contributors),
        "FileDependency" => Some(&mut f.dependencies),
        "FileAttributionText" if version != Version::V2_1 => Some(&mut f.attribution_texts),
        _ => None,
    }
}
