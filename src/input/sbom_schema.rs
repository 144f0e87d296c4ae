//! The CycloneDX BOM as the cyclonedx-go structs conftest decodes XML into: for each
//! struct, its fields' JSON names, where each is found in the XML, what it holds and
//! whether it is required, optional or a list. Parts of the BOM real SBOMs rarely hold
//! (formulation, declarations, definitions, model cards, crypto properties, patent
//! assertions, component data) are not described, so they are left out as unknown
//! elements are.

/// Where a field is found in its element.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum From {
    Attr(&'static str),
    Child(&'static str),
    /// A list whose items (second name) are wrapped in an element (first name).
    Wrapped(&'static str, &'static str),
    /// The element's own text.
    CharData,
}

/// What a field holds.
#[derive(Clone, Copy)]
pub enum Kind {
    Text,
    Int,
    Float,
    Float32,
    Bool,
    Object(fn() -> &'static [Field]),
    Custom(Custom),
}

/// Structs the library decodes by hand.
#[derive(Clone, Copy)]
pub enum Custom {
    Licenses,
    Tools,
    Dependency,
    Evidence,
    DataFlow,
    /// A `ref` attribute standing for a reference to another part of the BOM.
    Reference,
}

/// How a field appears in JSON.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Always; its zero value when absent (a Go value without `omitempty`).
    Required,
    /// Unless it is the empty string (a Go string with `omitempty`).
    OmitEmpty,
    /// Once its element appears (a Go pointer).
    Optional,
    /// Once it has an item (a Go pointer to a slice).
    Many,
}

/// A struct's fields, as a `'static` slice (a `const` item, since calls to the builders
/// below are not promoted to statics on their own).
macro_rules! fields {
    ($($field:expr),* $(,)?) => {{
        const FIELDS: &[Field] = &[$($field),*];
        FIELDS
    }};
}

#[derive(Clone, Copy)]
pub struct Field {
    pub json: &'static str,
    pub from: From,
    pub kind: Kind,
    pub shape: Shape,
}

const fn field(json: &'static str, from: From, kind: Kind, shape: Shape) -> Field {
    Field {
        json,
        from,
        kind,
        shape,
    }
}

const fn text(json: &'static str) -> Field {
    field(json, From::Child(json), Kind::Text, Shape::OmitEmpty)
}

const fn required(json: &'static str) -> Field {
    field(json, From::Child(json), Kind::Text, Shape::Required)
}

const fn attr(json: &'static str) -> Field {
    field(json, From::Attr(json), Kind::Text, Shape::OmitEmpty)
}

const fn required_attr(json: &'static str) -> Field {
    field(json, From::Attr(json), Kind::Text, Shape::Required)
}

const fn optional(json: &'static str, kind: Kind) -> Field {
    field(json, From::Child(json), kind, Shape::Optional)
}

const fn object(json: &'static str, fields: fn() -> &'static [Field]) -> Field {
    optional(json, Kind::Object(fields))
}

const fn list(json: &'static str, wrapper: &'static str, item: &'static str, kind: Kind) -> Field {
    field(json, From::Wrapped(wrapper, item), kind, Shape::Many)
}

const fn objects(
    json: &'static str,
    item: &'static str,
    fields: fn() -> &'static [Field],
) -> Field {
    list(json, json, item, Kind::Object(fields))
}

const fn texts(json: &'static str, item: &'static str) -> Field {
    list(json, json, item, Kind::Text)
}

const BOM_REF: Field = attr("bom-ref");
const PROPERTIES: Field = objects("properties", "property", property);
const HASHES: Field = objects("hashes", "hash", hash);
const EXTERNAL_REFERENCES: Field = objects("externalReferences", "reference", external_reference);
const LICENSES: Field = optional("licenses", Kind::Custom(Custom::Licenses));
const TOOLS: Field = optional("tools", Kind::Custom(Custom::Tools));

pub const BOM: &[Field] = fields![
    field("version", From::Attr("version"), Kind::Int, Shape::Required),
    attr("serialNumber"),
    object("metadata", metadata),
    objects("components", "component", component),
    objects("services", "service", service),
    EXTERNAL_REFERENCES,
    list(
        "dependencies",
        "dependencies",
        "dependency",
        Kind::Custom(Custom::Dependency),
    ),
    objects("compositions", "composition", composition),
    PROPERTIES,
    objects("vulnerabilities", "vulnerability", vulnerability),
    objects("annotations", "annotation", annotation),
];

fn metadata() -> &'static [Field] {
    fields![
        text("timestamp"),
        objects("lifecycles", "lifecycle", || {
            fields![text("name"), text("phase"), text("description")]
        }),
        TOOLS,
        list("authors", "authors", "author", Kind::Object(contact)),
        object("component", component),
        object("manufacture", organization),
        object("manufacturer", organization),
        object("supplier", organization),
        LICENSES,
        PROPERTIES,
    ]
}

pub fn component() -> &'static [Field] {
    fields![
        BOM_REF,
        attr("mime-type"),
        required_attr("type"),
        object("supplier", organization),
        object("manufacturer", organization),
        text("author"),
        list("authors", "authors", "author", Kind::Object(contact)),
        text("publisher"),
        text("group"),
        required("name"),
        text("version"),
        text("description"),
        text("scope"),
        HASHES,
        LICENSES,
        text("copyright"),
        text("cpe"),
        text("purl"),
        field(
            "omniborId",
            From::Child("omniborId"),
            Kind::Text,
            Shape::Many
        ),
        field("swhid", From::Child("swhid"), Kind::Text, Shape::Many),
        object("swid", swid),
        optional("modified", Kind::Bool),
        object("pedigree", pedigree),
        EXTERNAL_REFERENCES,
        PROPERTIES,
        objects("components", "component", component),
        optional("evidence", Kind::Custom(Custom::Evidence)),
        object("releaseNotes", release_notes),
        texts("tags", "tag"),
        optional("isExternal", Kind::Bool),
    ]
}

pub fn service() -> &'static [Field] {
    fields![
        BOM_REF,
        object("provider", organization),
        text("group"),
        required("name"),
        text("version"),
        text("description"),
        texts("endpoints", "endpoint"),
        optional("authenticated", Kind::Bool),
        optional("x-trust-boundary", Kind::Bool),
        list("data", "data", "dataflow", Kind::Custom(Custom::DataFlow)),
        LICENSES,
        EXTERNAL_REFERENCES,
        PROPERTIES,
        objects("services", "service", service),
        object("releaseNotes", release_notes),
        texts("tags", "tag"),
        text("trustZone"),
    ]
}

pub const TOOL: fn() -> &'static [Field] = || {
    fields![
        text("vendor"),
        required("name"),
        text("version"),
        HASHES,
        EXTERNAL_REFERENCES,
    ]
};

fn organization() -> &'static [Field] {
    fields![
        BOM_REF,
        required("name"),
        object("address", || {
            fields![
                BOM_REF,
                text("country"),
                text("region"),
                text("locality"),
                text("postOfficeBoxNumber"),
                text("postalCode"),
                text("streetAddress"),
            ]
        }),
        field("url", From::Child("url"), Kind::Text, Shape::Many),
        field(
            "contact",
            From::Child("contact"),
            Kind::Object(contact),
            Shape::Many,
        ),
    ]
}

fn contact() -> &'static [Field] {
    fields![BOM_REF, text("name"), text("email"), text("phone")]
}

fn hash() -> &'static [Field] {
    fields![
        required_attr("alg"),
        field("content", From::CharData, Kind::Text, Shape::Required),
    ]
}

pub fn attached_text() -> &'static [Field] {
    fields![
        field("content", From::CharData, Kind::Text, Shape::Required),
        field(
            "contentType",
            From::Attr("content-type"),
            Kind::Text,
            Shape::OmitEmpty
        ),
        attr("encoding"),
    ]
}

pub fn license() -> &'static [Field] {
    fields![
        BOM_REF,
        text("id"),
        text("name"),
        attr("acknowledgement"),
        object("text", attached_text),
        text("url"),
        object("licensing", licensing),
        PROPERTIES,
    ]
}

fn licensing() -> &'static [Field] {
    fields![
        texts("altIds", "altId"),
        object("licensor", organization_or_contact),
        object("licensee", organization_or_contact),
        object("purchaser", organization_or_contact),
        text("purchaseOrder"),
        texts("licenseTypes", "licenseType"),
        text("lastRenewal"),
        text("expiration"),
    ]
}

fn organization_or_contact() -> &'static [Field] {
    fields![
        object("organization", organization),
        object("individual", contact),
    ]
}

fn external_reference() -> &'static [Field] {
    fields![
        required("url"),
        text("comment"),
        HASHES,
        required_attr("type"),
        PROPERTIES,
    ]
}

fn property() -> &'static [Field] {
    fields![
        required_attr("name"),
        field("value", From::CharData, Kind::Text, Shape::Required),
    ]
}

fn swid() -> &'static [Field] {
    fields![
        object("text", attached_text),
        attr("url"),
        required_attr("tagId"),
        required_attr("name"),
        attr("version"),
        field(
            "tagVersion",
            From::Attr("tagVersion"),
            Kind::Int,
            Shape::Optional
        ),
        field("patch", From::Attr("patch"), Kind::Bool, Shape::Optional),
    ]
}

fn pedigree() -> &'static [Field] {
    fields![
        objects("ancestors", "component", component),
        objects("descendants", "component", component),
        objects("variants", "component", component),
        objects("commits", "commit", || {
            fields![
                text("uid"),
                text("url"),
                object("author", identifiable_action),
                object("committer", identifiable_action),
                text("message"),
            ]
        }),
        objects("patches", "patch", || {
            fields![
                object("diff", || fields![
                    object("text", attached_text),
                    text("url")
                ]),
                objects("resolves", "issue", issue),
                required_attr("type"),
            ]
        }),
        text("notes"),
    ]
}

fn identifiable_action() -> &'static [Field] {
    fields![text("timestamp"), text("name"), text("email")]
}

fn issue() -> &'static [Field] {
    fields![
        required("id"),
        text("name"),
        required("description"),
        object("source", source),
        texts("references", "url"),
        required_attr("type"),
    ]
}

fn source() -> &'static [Field] {
    fields![text("name"), text("url")]
}

fn release_notes() -> &'static [Field] {
    fields![
        required("type"),
        text("title"),
        text("featuredImage"),
        text("socialImage"),
        text("description"),
        text("timestamp"),
        texts("aliases", "alias"),
        texts("tags", "tag"),
        objects("resolves", "issue", issue),
        objects("notes", "note", || {
            fields![
                text("locale"),
                field(
                    "text",
                    From::Child("text"),
                    Kind::Object(attached_text),
                    Shape::Required,
                ),
            ]
        }),
        PROPERTIES,
    ]
}

fn composition() -> &'static [Field] {
    fields![
        BOM_REF,
        required("aggregate"),
        list(
            "assemblies",
            "assemblies",
            "assembly",
            Kind::Custom(Custom::Reference)
        ),
        list(
            "dependencies",
            "dependencies",
            "dependency",
            Kind::Custom(Custom::Reference),
        ),
        list(
            "vulnerabilities",
            "vulnerabilities",
            "vulnerability",
            Kind::Custom(Custom::Reference),
        ),
    ]
}

fn vulnerability() -> &'static [Field] {
    fields![
        BOM_REF,
        required("id"),
        object("source", source),
        objects("references", "reference", || fields![
            text("id"),
            object("source", source)
        ]),
        objects("ratings", "rating", || {
            fields![
                object("source", source),
                optional("score", Kind::Float),
                text("severity"),
                text("method"),
                text("vector"),
                text("justification"),
            ]
        }),
        list("cwes", "cwes", "cwe", Kind::Int),
        text("description"),
        text("detail"),
        text("recommendation"),
        text("workaround"),
        object("proofOfConcept", || {
            fields![
                text("reproductionSteps"),
                text("environment"),
                list(
                    "supportingMaterial",
                    "supportingMaterial",
                    "attachment",
                    Kind::Object(attached_text),
                ),
            ]
        }),
        objects("advisories", "advisory", || fields![
            text("title"),
            required("url")
        ]),
        text("created"),
        text("published"),
        text("updated"),
        text("rejected"),
        object("credits", || {
            fields![
                objects("organizations", "organization", organization),
                objects("individuals", "individual", contact),
            ]
        }),
        TOOLS,
        object("analysis", || {
            fields![
                text("state"),
                text("justification"),
                list("response", "responses", "response", Kind::Text),
                text("detail"),
                text("firstIssued"),
                text("lastUpdated"),
            ]
        }),
        list("affects", "affects", "target", Kind::Object(affects)),
        PROPERTIES,
    ]
}

fn affects() -> &'static [Field] {
    fields![
        required("ref"),
        list(
            "versions",
            "versions",
            "version",
            Kind::Object(|| { fields![text("version"), text("range"), required("status")] })
        ),
    ]
}

fn annotation() -> &'static [Field] {
    fields![
        BOM_REF,
        list(
            "subjects",
            "subjects",
            "subject",
            Kind::Custom(Custom::Reference)
        ),
        object("annotator", || {
            fields![
                object("organization", organization),
                object("individual", contact),
                object("component", component),
                object("service", service),
            ]
        }),
        text("timestamp"),
        text("text"),
    ]
}

pub fn evidence_identity() -> &'static [Field] {
    fields![
        text("field"),
        optional("confidence", Kind::Float32),
        text("concludedValue"),
        objects("methods", "method", || {
            fields![
                text("technique"),
                optional("confidence", Kind::Float32),
                text("value"),
            ]
        }),
        list("tools", "tools", "tool", Kind::Custom(Custom::Reference)),
    ]
}

pub fn occurrence() -> &'static [Field] {
    fields![
        BOM_REF,
        text("location"),
        field("line", From::Attr("line"), Kind::Int, Shape::Optional),
        field("offset", From::Attr("offset"), Kind::Int, Shape::Optional),
        attr("symbol"),
        attr("additionalContext"),
    ]
}

pub fn callstack() -> &'static [Field] {
    fields![objects("frames", "frame", || {
        fields![
            text("package"),
            text("module"),
            text("function"),
            texts("parameters", "parameter"),
            optional("line", Kind::Int),
            optional("column", Kind::Int),
            text("fullFilename"),
        ]
    })]
}

pub fn data_governance() -> &'static [Field] {
    const PARTY: fn() -> &'static [Field] = || {
        fields![
            object("organization", organization),
            object("contact", contact),
        ]
    };
    fields![
        objects("custodians", "custodian", PARTY),
        objects("stewards", "steward", PARTY),
        objects("owners", "owner", PARTY),
    ]
}
