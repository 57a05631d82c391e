//! Errors for every manifest parser. Each variant names where the problem is (element and
//! attribute, or playlist line) and, where it helps, what to do about it.

use thiserror::Error;

/// Anything that stops a manifest from becoming a [`crate::Presentation`].
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// The input is not well-formed XML.
    #[error("manifest is not well-formed XML: {0}")]
    Xml(#[from] roxmltree::Error),

    /// The input is neither an MPD, a Smooth client manifest nor an M3U8 playlist.
    #[error("unrecognised manifest: {0}")]
    UnknownFormat(String),

    /// The input is not valid text in the encoding it claims.
    #[error("manifest text is not valid {encoding}; re-save it as UTF-8")]
    Encoding {
        /// The encoding the bytes were read as.
        encoding: &'static str,
    },

    /// A required attribute is absent.
    #[error("<{element}> has no `{attribute}` attribute: {hint}")]
    MissingAttribute {
        /// Element name.
        element: String,
        /// Attribute name.
        attribute: &'static str,
        /// What the parser needed it for.
        hint: &'static str,
    },

    /// An attribute or element text that could not be read.
    #[error("<{element}> `{attribute}` = {value:?} is invalid: {reason}")]
    InvalidValue {
        /// Element name.
        element: String,
        /// Attribute name (or `text()` for element content).
        attribute: &'static str,
        /// The offending value, cut to 80 characters.
        value: String,
        /// Why it was rejected.
        reason: String,
    },

    /// A live (dynamic) presentation: Layover only takes video on demand offline.
    #[error(
        "{what} is live ({detail}); only on-demand (static / ENDLIST) presentations can be downloaded"
    )]
    Live {
        /// Which manifest kind.
        what: &'static str,
        /// The attribute or tag that says it is live.
        detail: &'static str,
    },

    /// The structure makes no sense (e.g. a Representation without any way to find its segments).
    #[error("{location}: {reason}")]
    Structure {
        /// Where, e.g. `Period 0 / AdaptationSet 1 / Representation "v1"`.
        location: String,
        /// What is wrong and what to do.
        reason: String,
    },

    /// A hostile or broken manifest would expand into too many segments.
    #[error(
        "{location}: expands to more than {limit} segments; the manifest is broken or hostile (raise the limit only for titles longer than a day)"
    )]
    TooManySegments {
        /// Where the expansion happened.
        location: String,
        /// The cap that was hit.
        limit: usize,
    },

    /// A hostile or broken manifest would expand into too much data.
    #[error(
        "{location}: {what} would exceed {limit} bytes; the manifest is broken or hostile (check BaseURL and template lengths)"
    )]
    TooLarge {
        /// Where the expansion happened.
        location: String,
        /// What would be too large.
        what: &'static str,
        /// The cap in bytes.
        limit: usize,
    },

    /// A URL could not be resolved against its base.
    #[error("cannot resolve URL {reference:?} against {base}: {source}")]
    Url {
        /// The relative or absolute reference.
        reference: String,
        /// The base it was resolved against.
        base: String,
        /// The parser's complaint.
        source: url::ParseError,
    },

    /// A segment template string is malformed.
    #[error("segment template {template:?}: {reason}")]
    Template {
        /// The template as written.
        template: String,
        /// What is wrong with it.
        reason: String,
    },

    /// An M3U8 playlist problem, with its 1-based line number.
    #[error("playlist line {line}: {reason}")]
    Hls {
        /// 1-based line number (0 when not tied to a line).
        line: usize,
        /// What is wrong and what to do.
        reason: String,
    },

    /// A `sidx` box that cannot be read.
    #[error("sidx box: {0}")]
    Sidx(String),
}

impl Error {
    pub(crate) fn invalid(
        element: &str,
        attribute: &'static str,
        value: &str,
        reason: impl Into<String>,
    ) -> Self {
        Error::InvalidValue {
            element: element.to_owned(),
            attribute,
            value: value.chars().take(80).collect(),
            reason: reason.into(),
        }
    }

    pub(crate) fn structure(location: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Structure {
            location: location.into(),
            reason: reason.into(),
        }
    }
}

/// Result alias for this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
