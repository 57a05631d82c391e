//! The adapters whose keys Layover holds itself.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::{
    Cdm, CdmError, CdmKind, ContentKey, GrantedLicense, HttpLicenseRequest, HttpMethod,
    RequestContext, ServerInfo, body_start,
};
use crate::challenge::{ChallengeParams, build_challenge};
use crate::clearkey::{LicenseRequest, LicenseResponse, ReleaseMessage, SessionType};
use crate::ecc::TestIdentity;
use crate::kid::Kid;
use crate::policy::LicensePolicy;
use crate::soap::{
    CONTENT_TYPE, SOAP_ACTION_ACQUIRE_LICENSE, acquire_license_envelope,
    parse_acquire_license_response,
};
use crate::xmr::XmrLicense;

const JSON: &str = "application/json";

fn ok(status: u16) -> bool {
    (200..300).contains(&status)
}

fn header(name: &str, value: &str) -> (String, String) {
    (name.to_owned(), value.to_owned())
}

/// A ClearKey-style `{"kids":[...]}` release POST (the W3C release message).
fn json_release(kids: &[Kid]) -> HttpLicenseRequest {
    HttpLicenseRequest {
        method: HttpMethod::Post,
        url_suffix: String::new(),
        headers: vec![header("Content-Type", JSON)],
        body: ReleaseMessage {
            kids: kids.to_vec(),
        }
        .to_json()
        .into_bytes(),
    }
}

fn check_requested(ctx: &RequestContext, keys: &[ContentKey]) -> Result<(), CdmError> {
    match ctx.kids.iter().find(|k| !keys.iter().any(|c| c.kid == **k)) {
        Some(kid) => Err(CdmError::MissingKey { kid: *kid }),
        None => Ok(()),
    }
}

/// PlayReady to Layover's test identity: builds the signed challenge, and unwraps every
/// content key from the XMR licenses with the identity's key, verifying each license's AES-CMAC
/// signature. Accepted by Layover's development license server only.
#[derive(Debug, Clone)]
pub struct TestIdentityPlayReady {
    /// The identity licenses are bound to.
    pub identity: TestIdentity,
}

impl TestIdentityPlayReady {
    /// An adapter for `identity`.
    pub fn new(identity: TestIdentity) -> Self {
        Self { identity }
    }
}

impl Cdm for TestIdentityPlayReady {
    fn kind(&self) -> CdmKind {
        CdmKind::TestIdentityPlayReady
    }

    fn license_request(&self, ctx: &RequestContext) -> Result<HttpLicenseRequest, CdmError> {
        let wrm_header = ctx.wrm_header.as_deref().ok_or(CdmError::MissingInput {
            what: "the WRMHEADER (PlayReady content header)",
        })?;
        let challenge = build_challenge(
            &self.identity,
            &ChallengeParams {
                wrm_header,
                custom_data: ctx.custom_data.as_deref(),
                nonce: ctx.nonce,
                client_time: ctx.now,
            },
        )?;
        let body = acquire_license_envelope(&challenge)?;
        Ok(HttpLicenseRequest {
            method: HttpMethod::Post,
            url_suffix: String::new(),
            headers: vec![
                header("Content-Type", CONTENT_TYPE),
                header("SOAPAction", SOAP_ACTION_ACQUIRE_LICENSE),
            ],
            body: body.into_bytes(),
        })
    }

    fn process_response(
        &self,
        ctx: &RequestContext,
        status: u16,
        body: &[u8],
    ) -> Result<GrantedLicense, CdmError> {
        let (policy, server, kids, xmrs) = read_playready(status, body, Some(ctx.nonce))?;
        let mut keys = Vec::new();
        for lic in &xmrs {
            for k in lic.content_keys() {
                let key = self.identity.unwrap_license_key(lic, k.kid)?;
                keys.push(ContentKey { kid: k.kid, key });
            }
        }
        check_requested(ctx, &keys)?;
        Ok(GrantedLicense {
            kind: CdmKind::TestIdentityPlayReady,
            policy,
            kids,
            keys,
            license_blob: body.to_vec(),
            cdm_response: None,
            server,
        })
    }

    /// The development server's own dialect (`POST /PlayReady/release` with a ClearKey-style
    /// `{"kids":[...]}`); real PlayReady servers have no such call.
    fn release_request(&self, kids: &[Kid]) -> Option<HttpLicenseRequest> {
        Some(json_release(kids))
    }
}

/// Policy, server details, KIDs and parsed licenses of a PlayReady response.
pub(super) type PlayReadyRead = (LicensePolicy, ServerInfo, Vec<Kid>, Vec<XmrLicense>);

/// Reads a PlayReady SOAP response: the policy (first license's, with every license's keys),
/// server details, the KIDs, and the parsed licenses. Faults become [`CdmError::Fault`].
pub(super) fn read_playready(
    status: u16,
    body: &[u8],
    nonce: Option<[u8; 16]>,
) -> Result<PlayReadyRead, CdmError> {
    let http = || CdmError::Http {
        status,
        body_start: body_start(body),
    };
    let text = std::str::from_utf8(body).map_err(|_| {
        if ok(status) {
            CdmError::Soap(crate::soap::SoapError::Xml {
                what: "license response",
                message: "not UTF-8".to_owned(),
            })
        } else {
            http()
        }
    })?;
    let response = match parse_acquire_license_response(text) {
        Ok(r) => r,
        Err(e @ crate::soap::SoapError::Fault(_)) => return Err(e.into()),
        Err(_) if !ok(status) => return Err(http()),
        Err(e) => return Err(e.into()),
    };
    if let (Some(sent), Some(echoed)) = (nonce, response.license_nonce.as_deref())
        && echoed != STANDARD.encode(sent)
    {
        return Err(CdmError::NonceMismatch);
    }
    if response.licenses.is_empty() {
        return Err(CdmError::NoLicense);
    }
    let xmrs = response
        .parse_licenses()
        .into_iter()
        .enumerate()
        .map(|(index, r)| r.map_err(|source| CdmError::Xmr { index, source }))
        .collect::<Result<Vec<_>, _>>()?;
    let mut policy = LicensePolicy::from_xmr(&xmrs[0]);
    for lic in &xmrs[1..] {
        policy.keys.extend(LicensePolicy::from_xmr(lic).keys);
    }
    let kids = policy.keys.iter().map(|k| k.kid).collect();
    let server = ServerInfo {
        transaction_id: response.transaction_id,
        response_id: response.response_id,
        license_nonce: response.license_nonce,
        license_count: xmrs.len(),
    };
    Ok((policy, server, kids, xmrs))
}

/// W3C ClearKey (JSON). The policy is unlimited; persistent when the server grants a
/// `persistent-license` (or, when it says nothing, when one was asked for), unless
/// [`ClearKeyCdm::policy`] says otherwise. ClearKey carries no key types, so the policy's
/// `keys` stay empty: see [`GrantedLicense::kids`].
#[derive(Debug, Clone, Default)]
pub struct ClearKeyCdm {
    /// A policy the provider states out of band, used instead of the unlimited one.
    pub policy: Option<LicensePolicy>,
}

impl Cdm for ClearKeyCdm {
    fn kind(&self) -> CdmKind {
        CdmKind::ClearKey
    }

    fn license_request(&self, ctx: &RequestContext) -> Result<HttpLicenseRequest, CdmError> {
        if ctx.kids.is_empty() {
            return Err(CdmError::MissingInput {
                what: "at least one KID",
            });
        }
        let request = LicenseRequest {
            kids: ctx.kids.clone(),
            session_type: if ctx.persistent {
                SessionType::PersistentLicense
            } else {
                SessionType::Temporary
            },
        };
        Ok(HttpLicenseRequest {
            method: HttpMethod::Post,
            url_suffix: String::new(),
            headers: vec![header("Content-Type", JSON)],
            body: request.to_json().into_bytes(),
        })
    }

    fn process_response(
        &self,
        ctx: &RequestContext,
        status: u16,
        body: &[u8],
    ) -> Result<GrantedLicense, CdmError> {
        if !ok(status) {
            return Err(CdmError::Http {
                status,
                body_start: body_start(body),
            });
        }
        let response = LicenseResponse::from_json(&String::from_utf8_lossy(body))?;
        let keys: Vec<ContentKey> = response
            .keys
            .iter()
            .map(|k| ContentKey {
                kid: k.kid,
                key: k.key,
            })
            .collect();
        check_requested(ctx, &keys)?;
        let persistent = response
            .session_type
            .map_or(ctx.persistent, |t| t == SessionType::PersistentLicense);
        Ok(GrantedLicense {
            kind: CdmKind::ClearKey,
            policy: self
                .policy
                .clone()
                .unwrap_or_else(|| LicensePolicy::unlimited(Vec::new(), persistent)),
            kids: keys.iter().map(|k| k.kid).collect(),
            keys,
            license_blob: body.to_vec(),
            cdm_response: None,
            server: ServerInfo::default(),
        })
    }

    fn release_request(&self, kids: &[Kid]) -> Option<HttpLicenseRequest> {
        Some(json_release(kids))
    }
}

/// AES clear key (AMS `/?kid=`): `GET ?kid=<KID as UUID>`, the answer is the 16 raw key bytes.
/// One KID per request (the first of [`RequestContext::kids`]). The policy is unlimited and
/// persistent unless [`AesClearKeyCdm::policy`] says otherwise; there is no release.
#[derive(Debug, Clone, Default)]
pub struct AesClearKeyCdm {
    /// A policy the provider states out of band.
    pub policy: Option<LicensePolicy>,
}

impl Cdm for AesClearKeyCdm {
    fn kind(&self) -> CdmKind {
        CdmKind::AesClearKey
    }

    fn license_request(&self, ctx: &RequestContext) -> Result<HttpLicenseRequest, CdmError> {
        let kid = ctx
            .kids
            .first()
            .ok_or(CdmError::MissingInput { what: "a KID" })?;
        Ok(HttpLicenseRequest {
            method: HttpMethod::Get,
            url_suffix: format!("?kid={}", kid.to_hyphenated()),
            headers: Vec::new(),
            body: Vec::new(),
        })
    }

    fn process_response(
        &self,
        ctx: &RequestContext,
        status: u16,
        body: &[u8],
    ) -> Result<GrantedLicense, CdmError> {
        if !ok(status) {
            return Err(CdmError::Http {
                status,
                body_start: body_start(body),
            });
        }
        let kid = *ctx
            .kids
            .first()
            .ok_or(CdmError::MissingInput { what: "a KID" })?;
        let key = crate::clearkey::parse_aes_clear_key(body)?;
        Ok(GrantedLicense {
            kind: CdmKind::AesClearKey,
            policy: self
                .policy
                .clone()
                .unwrap_or_else(|| LicensePolicy::unlimited(Vec::new(), true)),
            kids: vec![kid],
            keys: vec![ContentKey { kid, key }],
            license_blob: body.to_vec(),
            cdm_response: None,
            server: ServerInfo::default(),
        })
    }

    fn release_request(&self, _kids: &[Kid]) -> Option<HttpLicenseRequest> {
        None
    }
}
