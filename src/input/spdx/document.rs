//! An SPDX document as tools-golang holds it after reading tag-value, and its JSON as
//! tools-golang's SPDX 2.3 types write it (which conftest gives to policies): empty
//! optional fields are left out, required ones stay (`""`, `null`), identifiers get their
//! prefixes back, people and tools are written `Kind: name`. What those types do not
//! write is not kept: snippets, reviews and annotation subjects.
//!
//! Packages and files are shared as tools-golang shares them by pointer: a package whose
//! `SPDXID` is given twice is listed twice, each listing showing its final fields.

use serde_json::{Map, Value};

use super::Failure;
use super::identifiers::{ElementRef, document_json, element_json};

#[derive(Debug, Default)]
pub struct Document {
    /// Written as `SPDX-2.3` when set: documents of older versions are converted.
    pub converted: bool,
    pub version: String,
    pub data_license: String,
    pub id: String,
    pub name: String,
    pub namespace: String,
    pub external_documents: Vec<ExternalDocument>,
    pub comment: String,
    pub creation: Option<Creation>,
    /// Indices into `package_store` and `file_store`, in listing order.
    pub packages: Vec<usize>,
    pub files: Vec<usize>,
    pub package_store: Vec<Package>,
    pub file_store: Vec<File>,
    pub other_licenses: Vec<OtherLicense>,
    pub relationships: Vec<Relationship>,
    pub annotations: Vec<Annotation>,
}

#[derive(Debug)]
pub struct ExternalDocument {
    pub id: String,
    pub uri: String,
    pub algorithm: String,
    pub checksum: String,
}

#[derive(Debug, Default)]
pub struct Creation {
    pub license_list_version: String,
    pub creators: Vec<Agent>,
    pub created: String,
    pub comment: String,
}

/// A creator, annotator, supplier or originator: `kind` is `Person`, `Organization` or
/// `Tool`, or empty for `NOASSERTION`. `line` is where it was given, for errors.
#[derive(Debug, Clone)]
pub struct Agent {
    pub kind: String,
    pub name: String,
    pub line: usize,
}

#[derive(Debug)]
pub struct Checksum {
    pub algorithm: String,
    pub value: String,
}

#[derive(Debug)]
pub struct Package {
    pub name: String,
    pub id: String,
    pub version: String,
    pub file_name: String,
    pub supplier: Option<Agent>,
    pub originator: Option<Agent>,
    pub download_location: String,
    pub files_analyzed: bool,
    pub verification_code: Option<VerificationCode>,
    pub checksums: Vec<Checksum>,
    pub home_page: String,
    pub source_info: String,
    pub license_concluded: String,
    pub license_info_from_files: Vec<String>,
    pub license_declared: String,
    pub license_comments: String,
    pub copyright: String,
    pub summary: String,
    pub description: String,
    pub comment: String,
    pub external_refs: Vec<ExternalRef>,
    pub attribution_texts: Vec<String>,
    pub primary_purpose: String,
    pub release_date: String,
    pub built_date: String,
    pub valid_until_date: String,
    pub files: Vec<usize>,
    /// The line of its `PackageName`, for errors about the package.
    pub line: usize,
}

impl Package {
    pub fn new(line: usize) -> Package {
        Package {
            name: String::new(),
            id: String::new(),
            version: String::new(),
            file_name: String::new(),
            supplier: None,
            originator: None,
            download_location: String::new(),
            files_analyzed: true,
            verification_code: None,
            checksums: Vec::new(),
            home_page: String::new(),
            source_info: String::new(),
            license_concluded: String::new(),
            license_info_from_files: Vec::new(),
            license_declared: String::new(),
            license_comments: String::new(),
            copyright: String::new(),
            summary: String::new(),
            description: String::new(),
            comment: String::new(),
            external_refs: Vec::new(),
            attribution_texts: Vec::new(),
            primary_purpose: String::new(),
            release_date: String::new(),
            built_date: String::new(),
            valid_until_date: String::new(),
            files: Vec::new(),
            line,
        }
    }
}

#[derive(Debug, Default)]
pub struct VerificationCode {
    pub value: String,
    pub excluded_files: Vec<String>,
}

#[derive(Debug, Default)]
pub struct ExternalRef {
    pub category: String,
    pub kind: String,
    pub locator: String,
    pub comment: String,
}

#[derive(Debug, Default)]
pub struct File {
    pub name: String,
    pub id: String,
    pub types: Vec<String>,
    pub checksums: Vec<Checksum>,
    pub license_concluded: String,
    pub license_info: Vec<String>,
    pub license_comments: String,
    pub copyright: String,
    pub artifacts: Vec<Artifact>,
    pub comment: String,
    pub notice: String,
    pub contributors: Vec<String>,
    pub attribution_texts: Vec<String>,
    pub dependencies: Vec<String>,
    /// The line of its `FileName`, for errors about the file.
    pub line: usize,
}

#[derive(Debug, Default)]
pub struct Artifact {
    pub name: String,
    pub home_page: String,
    pub uri: String,
}

#[derive(Debug, Default)]
pub struct OtherLicense {
    pub id: String,
    pub extracted_text: String,
    pub name: String,
    pub cross_references: Vec<String>,
    pub comment: String,
}

#[derive(Debug)]
pub struct Relationship {
    pub from: ElementRef,
    pub to: ElementRef,
    pub kind: String,
    pub comment: String,
}

#[derive(Debug)]
pub struct Annotation {
    pub annotator: Agent,
    pub date: String,
    pub kind: String,
    pub comment: String,
}

/// An object under construction: fields in tools-golang's order, `omitempty` ones only
/// when not empty.
struct Object(Map<String, Value>);

impl Object {
    fn new() -> Object {
        Object(Map::new())
    }
    fn put(&mut self, key: &str, value: Value) -> &mut Object {
        self.0.insert(key.to_owned(), value);
        self
    }
    fn text(&mut self, key: &str, value: &str) -> &mut Object {
        self.put(key, Value::String(value.to_owned()))
    }
    fn optional_text(&mut self, key: &str, value: &str) -> &mut Object {
        if !value.is_empty() {
            self.text(key, value);
        }
        self
    }
    fn optional_list(&mut self, key: &str, items: Vec<Value>) -> &mut Object {
        if !items.is_empty() {
            self.put(key, Value::Array(items));
        }
        self
    }
    fn optional_strings(&mut self, key: &str, items: &[String]) -> &mut Object {
        self.optional_list(key, strings(items))
    }
    fn done(&mut self) -> Value {
        Value::Object(std::mem::take(&mut self.0))
    }
}

fn strings(items: &[String]) -> Vec<Value> {
    items.iter().map(|s| Value::String(s.clone())).collect()
}

/// A list that is written `null` when empty (a Go slice without `omitempty` never filled).
fn list_or_null(items: Vec<Value>) -> Value {
    if items.is_empty() {
        Value::Null
    } else {
        Value::Array(items)
    }
}

impl Document {
    /// How many packages and files the JSON lists: more than the document's lines when
    /// identifiers are repeated to list big packages again and again.
    pub fn listed_elements(&self) -> usize {
        let in_packages: usize = self
            .packages
            .iter()
            .map(|&p| 1 + self.package_store[p].files.len())
            .sum();
        in_packages + self.files.len()
    }

    pub fn to_json(&self) -> Result<Value, Failure> {
        let mut doc = Object::new();
        let version = if self.converted {
            "SPDX-2.3"
        } else {
            &self.version
        };
        doc.text("spdxVersion", version)
            .text("dataLicense", &self.data_license)
            .put("SPDXID", element_json(&self.id))
            .text("name", &self.name)
            .text("documentNamespace", &self.namespace);
        let externals = self.external_documents.iter().map(|e| {
            let checksum = checksum_json(&e.algorithm, &e.checksum);
            Object::new()
                .put("externalDocumentId", document_json(&e.id))
                .text("spdxDocument", &e.uri)
                .put("checksum", checksum)
                .done()
        });
        doc.optional_list("externalDocumentRefs", externals.collect())
            .optional_text("comment", &self.comment);
        let creation = match &self.creation {
            Some(c) => creation_json(c)?,
            None => Value::Null,
        };
        doc.put("creationInfo", creation);
        let mut packages = Vec::with_capacity(self.packages.len());
        for &p in &self.packages {
            packages.push(self.package_json(&self.package_store[p])?);
        }
        doc.optional_list("packages", packages);
        let files = self.files.iter().map(|&f| file_json(&self.file_store[f]));
        doc.optional_list("files", files.collect());
        let licenses = self.other_licenses.iter().map(other_license_json);
        doc.optional_list("hasExtractedLicensingInfos", licenses.collect());
        let relationships = self.relationships.iter().map(relationship_json);
        doc.optional_list("relationships", relationships.collect());
        let mut annotations = Vec::with_capacity(self.annotations.len());
        for a in &self.annotations {
            annotations.push(annotation_json(a)?);
        }
        doc.optional_list("annotations", annotations);
        Ok(doc.done())
    }

    fn package_json(&self, p: &Package) -> Result<Value, Failure> {
        let mut o = Object::new();
        o.text("name", &p.name)
            .put("SPDXID", element_json(&p.id))
            .optional_text("versionInfo", &p.version)
            .optional_text("packageFileName", &p.file_name);
        if let Some(supplier) = &p.supplier {
            o.put("supplier", party_json(supplier, "Supplier")?);
        }
        if let Some(originator) = &p.originator {
            o.put("originator", party_json(originator, "Originator")?);
        }
        o.text("downloadLocation", &p.download_location)
            .put("filesAnalyzed", Value::Bool(p.files_analyzed));
        // Documents converted from SPDX 2.1 and 2.2 always have a verification code: the
        // older types hold one by value, empty when the document gives none.
        let empty = VerificationCode::default();
        let code = p
            .verification_code
            .as_ref()
            .or(self.converted.then_some(&empty));
        if let Some(code) = code {
            let value = Object::new()
                .text("packageVerificationCodeValue", &code.value)
                .optional_strings("packageVerificationCodeExcludedFiles", &code.excluded_files)
                .done();
            o.put("packageVerificationCode", value);
        }
        let checksums = p
            .checksums
            .iter()
            .map(|c| checksum_json(&c.algorithm, &c.value));
        o.optional_list("checksums", checksums.collect())
            .optional_text("homepage", &p.home_page)
            .optional_text("sourceInfo", &p.source_info)
            .optional_text("licenseConcluded", &p.license_concluded)
            .optional_strings("licenseInfoFromFiles", &p.license_info_from_files)
            .optional_text("licenseDeclared", &p.license_declared)
            .optional_text("licenseComments", &p.license_comments)
            .optional_text("copyrightText", &p.copyright)
            .optional_text("summary", &p.summary)
            .optional_text("description", &p.description)
            .optional_text("comment", &p.comment);
        let refs = p.external_refs.iter().map(|r| {
            Object::new()
                .text("referenceCategory", &r.category.replace('_', "-"))
                .text("referenceType", &r.kind)
                .text("referenceLocator", &r.locator)
                .optional_text("comment", &r.comment)
                .done()
        });
        o.optional_list("externalRefs", refs.collect())
            .optional_strings("attributionTexts", &p.attribution_texts)
            .optional_text("primaryPackagePurpose", &p.primary_purpose)
            .optional_text("releaseDate", &p.release_date)
            .optional_text("builtDate", &p.built_date)
            .optional_text("validUntilDate", &p.valid_until_date);
        let files = p.files.iter().map(|&f| file_json(&self.file_store[f]));
        o.optional_list("files", files.collect());
        Ok(o.done())
    }
}

fn checksum_json(algorithm: &str, value: &str) -> Value {
    Object::new()
        .text("algorithm", algorithm)
        .text("checksumValue", value)
        .done()
}

fn creation_json(c: &Creation) -> Result<Value, Failure> {
    let mut creators = Vec::with_capacity(c.creators.len());
    for creator in &c.creators {
        creators.push(agent_json(creator, "Creator")?);
    }
    Ok(Object::new()
        .optional_text("licenseListVersion", &c.license_list_version)
        .put("creators", list_or_null(creators))
        .text("created", &c.created)
        .optional_text("comment", &c.comment)
        .done())
}

/// A creator or annotator: `Kind: name`; one without a name cannot be written.
fn agent_json(agent: &Agent, role: &str) -> Result<Value, Failure> {
    if agent.name.is_empty() {
        return Err(Failure::at(
            agent.line,
            format!("{role} \"{}:\" names no one", agent.kind),
        ));
    }
    Ok(Value::String(format!("{}: {}", agent.kind, agent.name)))
}

/// A supplier or originator: `NOASSERTION`, or `Kind: name`.
fn party_json(party: &Agent, role: &str) -> Result<Value, Failure> {
    if party.name == "NOASSERTION" {
        return Ok(Value::String(party.name.clone()));
    }
    if party.kind.is_empty() || party.name.is_empty() {
        return Err(Failure::at(
            party.line,
            format!(
                "failed to marshal invalid {role}: \"{}:\" names no one",
                party.kind
            ),
        ));
    }
    Ok(Value::String(format!("{}: {}", party.kind, party.name)))
}

fn file_json(f: &File) -> Value {
    let checksums = f
        .checksums
        .iter()
        .map(|c| checksum_json(&c.algorithm, &c.value));
    let artifacts = f.artifacts.iter().map(|a| {
        Object::new()
            .text("name", &a.name)
            .text("homePage", &a.home_page)
            .text("URI", &a.uri)
            .done()
    });
    Object::new()
        .text("fileName", &f.name)
        .put("SPDXID", element_json(&f.id))
        .optional_strings("fileTypes", &f.types)
        .put("checksums", list_or_null(checksums.collect()))
        .optional_text("licenseConcluded", &f.license_concluded)
        .optional_strings("licenseInfoInFiles", &f.license_info)
        .optional_text("licenseComments", &f.license_comments)
        .text("copyrightText", &f.copyright)
        .optional_list("artifactOfs", artifacts.collect())
        .optional_text("comment", &f.comment)
        .optional_text("noticeText", &f.notice)
        .optional_strings("fileContributors", &f.contributors)
        .optional_strings("attributionTexts", &f.attribution_texts)
        .optional_strings("fileDependencies", &f.dependencies)
        .done()
}

fn other_license_json(l: &OtherLicense) -> Value {
    Object::new()
        .text("licenseId", &l.id)
        .text("extractedText", &l.extracted_text)
        .optional_text("name", &l.name)
        .optional_strings("seeAlsos", &l.cross_references)
        .optional_text("comment", &l.comment)
        .done()
}

fn relationship_json(r: &Relationship) -> Value {
    Object::new()
        .put("spdxElementId", r.from.to_json())
        .put("relatedSpdxElement", r.to.to_json())
        .text("relationshipType", &r.kind)
        .optional_text("comment", &r.comment)
        .done()
}

fn annotation_json(a: &Annotation) -> Result<Value, Failure> {
    Ok(Object::new()
        .put("annotator", agent_json(&a.annotator, "Annotator")?)
        .text("annotationDate", &a.date)
        .text("annotationType", &a.kind)
        .text("comment", &a.comment)
        .done())
}
