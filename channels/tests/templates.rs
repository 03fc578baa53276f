//! WhatsApp template management: the create request against the shared fixture, the list
//! answer, and the errors Meta gives back.

use channels::inbound::ProviderError;
use channels::outbound::SendRequest;
use channels::phone::E164;
use channels::templates::{
    CreatedTemplate, ListedTemplate, TemplateButton, TemplateCategory, TemplateDefinition,
    TemplatePage, whatsapp_create_template, whatsapp_created_template,
    whatsapp_list_templates_path, whatsapp_template_list,
};
use serde_json::{Value, json};

const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/whatsapp/template_management"
);

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn fixture_json(name: &str) -> Value {
    serde_json::from_slice(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn json_request(request: SendRequest) -> (String, Value) {
    match request {
        SendRequest::Json { path, body } => (path, body),
        other => panic!("expected a JSON request, got {other:?}"),
    }
}

fn text_only(name: &str, body: &str) -> TemplateDefinition {
    TemplateDefinition {
        name: name.into(),
        language: "en_US".into(),
        category: TemplateCategory::Utility,
        header: None,
        header_sample: None,
        body: body.into(),
        body_samples: Vec::new(),
        footer: None,
        buttons: Vec::new(),
    }
}

fn component<'a>(body: &'a Value, kind: &str) -> &'a Value {
    body["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|component| component["type"] == kind)
        .unwrap_or_else(|| panic!("no {kind} component in {body}"))
}

#[test]
fn create_template_matches_fixture() {
    let mut expected = fixture_json("create_template_utility_document_header.request.json");
    let body_text = expected["components"][1]["text"]
        .as_str()
        .unwrap()
        .to_owned();
    let template = TemplateDefinition {
        body_samples: vec!["Mark".into(), "860198-230332".into()],
        buttons: vec![
            TemplateButton::PhoneNumber {
                text: "Call".into(),
                phone_number: E164::parse("+16467043595").unwrap(),
            },
            TemplateButton::Url {
                text: "Contact Support".into(),
                url: "https://www.examplesite.com/support".into(),
            },
        ],
        ..text_only("order_confirmation", &body_text)
    };
    let (path, body) = json_request(whatsapp_create_template("102290129340398", &template));
    assert_eq!(path, "/102290129340398/message_templates");

    // The fixture's DOCUMENT header is not supported; everything else must match it.
    let components = expected["components"].as_array_mut().unwrap();
    assert_eq!(components[0]["format"], "DOCUMENT");
    components.remove(0);
    assert_eq!(body, expected);
}

#[test]
fn create_template_with_text_header_footer_and_quick_reply() {
    let template = TemplateDefinition {
        category: TemplateCategory::Marketing,
        header: Some("Hello {{1}}".into()),
        header_sample: Some("Maria".into()),
        footer: Some("Reply STOP to opt out".into()),
        buttons: vec![TemplateButton::QuickReply {
            text: "Stop promotions".into(),
        }],
        ..text_only("fall_sale", "Our sale is on!")
    };
    let (_, body) = json_request(whatsapp_create_template("1", &template));
    assert_eq!(body["category"], "MARKETING");
    assert_eq!(
        body["components"],
        json!([
            {
                "type": "HEADER",
                "format": "TEXT",
                "text": "Hello {{1}}",
                "example": { "header_text": ["Maria"] },
            },
            { "type": "BODY", "text": "Our sale is on!" },
            { "type": "FOOTER", "text": "Reply STOP to opt out" },
            {
                "type": "BUTTONS",
                "buttons": [{ "type": "QUICK_REPLY", "text": "Stop promotions" }],
            },
        ])
    );
}

#[test]
fn header_without_variable_has_no_example() {
    let template = TemplateDefinition {
        header: Some("Fall Sale".into()),
        header_sample: Some("ignored".into()),
        ..text_only("fall_sale", "Our sale is on!")
    };
    let (_, body) = json_request(whatsapp_create_template("1", &template));
    assert_eq!(
        component(&body, "HEADER"),
        &json!({ "type": "HEADER", "format": "TEXT", "text": "Fall Sale" })
    );
}

#[test]
fn created_template_is_read() {
    let body = br#"{"id":"594425479261596","status":"PENDING","category":"UTILITY"}"#;
    assert_eq!(
        whatsapp_created_template(200, body),
        Ok(CreatedTemplate {
            id: "594425479261596".into(),
            status: "PENDING".into(),
        })
    );
}

#[test]
fn create_error_keeps_the_explanation_for_the_author() {
    let body = json!({
        "error": {
            "message": "Invalid parameter",
            "type": "OAuthException",
            "code": 100,
            "error_subcode": 2388043,
            "is_transient": false,
            "error_user_title": "Message template \"components\" param is missing expected field(s)",
            "error_user_msg": "component of type BODY is missing expected field(s) (example)",
            "fbtrace_id": "AbCdEfGhIjK",
        }
    });
    assert_eq!(
        whatsapp_created_template(400, body.to_string().as_bytes()),
        Err(ProviderError {
            code: 100,
            title: Some("Invalid parameter".into()),
            detail: Some(
                "Message template \"components\" param is missing expected field(s): component of type BODY is missing expected field(s) (example); error_subcode 2388043"
                    .into()
            ),
        })
    );

    let body = json!({
        "error": {
            "message": "(#100) Invalid parameter",
            "type": "OAuthException",
            "code": 100,
            "error_data": { "details": "Template name already exists in this language" },
            "fbtrace_id": "AbCdEfGhIjK",
        }
    });
    let error = whatsapp_created_template(400, body.to_string().as_bytes()).unwrap_err();
    assert_eq!(
        error.detail.as_deref(),
        Some("Template name already exists in this language")
    );
}

#[test]
fn unreadable_answers_are_errors() {
    let html = b"<html><body><h1>502 Bad Gateway</h1></body></html>";
    let expected = ProviderError {
        code: 502,
        title: Some("HTTP 502".into()),
        detail: Some("<html><body><h1>502 Bad Gateway</h1></body></html>".into()),
    };
    assert_eq!(whatsapp_created_template(502, html), Err(expected.clone()));
    assert_eq!(whatsapp_template_list(502, html), Err(expected));

    for body in [
        &b"not json"[..],
        br#"{"status":"PENDING"}"#,
        br#"{"id":""}"#,
    ] {
        let error = whatsapp_created_template(200, body).unwrap_err();
        assert_eq!(error.code, 200, "{error:?}");
    }
    let error = whatsapp_template_list(200, br#"{"data":[{"id":"1"}]}"#).unwrap_err();
    assert_eq!(error.code, 200);
}

#[test]
fn list_path_pages_with_the_cursor() {
    assert_eq!(
        whatsapp_list_templates_path("102290129340398", None),
        "/102290129340398/message_templates?fields=id,name,language,status,category,rejected_reason&limit=100"
    );
    assert_eq!(
        whatsapp_list_templates_path("102290129340398", Some("QVFI+a/b=")),
        "/102290129340398/message_templates?fields=id,name,language,status,category,rejected_reason&limit=100&after=QVFI%2Ba%2Fb%3D"
    );
}

#[test]
fn list_matches_fixture() {
    let page = whatsapp_template_list(200, &fixture("list_templates.response.json")).unwrap();
    assert_eq!(
        page,
        TemplatePage {
            templates: vec![
                ListedTemplate {
                    id: "1192339204654487".into(),
                    name: "hello_world".into(),
                    language: "en_US".into(),
                    status: "APPROVED".into(),
                    category: Some("MARKETING".into()),
                    rejected_reason: None,
                },
                ListedTemplate {
                    id: "920070352646140".into(),
                    name: "2023_april_promo".into(),
                    language: "en_US".into(),
                    status: "APPROVED".into(),
                    category: Some("MARKETING".into()),
                    rejected_reason: None,
                },
            ],
            // The fixture has cursors but no `next`: it is the last page.
            next_after: None,
        }
    );
}

#[test]
fn list_reads_next_cursor_and_rejection() {
    let mut answer = fixture_json("list_templates.response.json");
    answer["paging"]["next"] = json!(
        "https://graph.facebook.com/v23.0/102290129340398/message_templates?limit=100&after=MjQZD"
    );
    answer["data"][0]["rejected_reason"] = json!("NONE");
    answer["data"][1]["status"] = json!("REJECTED");
    answer["data"][1]["rejected_reason"] = json!("INVALID_FORMAT");
    let page = whatsapp_template_list(200, answer.to_string().as_bytes()).unwrap();
    assert_eq!(page.next_after.as_deref(), Some("MjQZD"));
    assert_eq!(page.templates[0].rejected_reason, None);
    assert_eq!(page.templates[1].status, "REJECTED");
    assert_eq!(
        page.templates[1].rejected_reason.as_deref(),
        Some("INVALID_FORMAT")
    );
}

#[test]
fn empty_list_is_one_page() {
    let page = whatsapp_template_list(200, br#"{"data":[]}"#).unwrap();
    assert_eq!(
        page,
        TemplatePage {
            templates: Vec::new(),
            next_after: None,
        }
    );
}

#[test]
fn list_error_is_read() {
    let body = json!({
        "error": {
            "message": "(#100) Tried accessing nonexisting field (message_templates)",
            "type": "OAuthException",
            "code": 100,
            "error_user_msg": "The WhatsApp Business Account id is wrong.",
            "fbtrace_id": "AbCdEfGhIjK",
        }
    });
    assert_eq!(
        whatsapp_template_list(400, body.to_string().as_bytes()),
        Err(ProviderError {
            code: 100,
            title: Some("(#100) Tried accessing nonexisting field (message_templates)".into()),
            detail: Some("The WhatsApp Business Account id is wrong.".into()),
        })
    );
}
