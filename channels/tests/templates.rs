//! WhatsApp template management: the create request against the shared fixture, the list
//! answer, and the errors Meta gives back.

use channels::inbound::ProviderError;
use channels::outbound::SendRequest;
use channels::phone::E164;
use channels::templates::{
    CreatedTemplate, FileUpload, HeaderFormat, ListedContent, ListedHeader, ListedTemplate,
    TemplateButton, TemplateCategory, TemplateDefinition, TemplateHeader, TemplatePage,
    whatsapp_create_template, whatsapp_created_template, whatsapp_list_templates_path,
    whatsapp_template_list, whatsapp_upload_file, whatsapp_upload_handle, whatsapp_upload_session,
    whatsapp_upload_session_id,
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
    let expected = fixture_json("create_template_utility_document_header.request.json");
    let body_text = expected["components"][1]["text"]
        .as_str()
        .unwrap()
        .to_owned();
    let handle = expected["components"][0]["example"]["header_handle"][0]
        .as_str()
        .unwrap()
        .to_owned();
    let template = TemplateDefinition {
        header: Some(TemplateHeader::Media {
            format: HeaderFormat::Document,
            handle,
        }),
        body_samples: vec!["Mark".into(), "860198-230332".into()],
        buttons: vec![
            TemplateButton::PhoneNumber {
                text: "Call".into(),
                phone_number: E164::parse("+16467043595").unwrap(),
            },
            TemplateButton::Url {
                text: "Contact Support".into(),
                url: "https://www.examplesite.com/support".into(),
                example: None,
            },
        ],
        ..text_only("order_confirmation", &body_text)
    };
    let (path, body) = json_request(whatsapp_create_template("102290129340398", &template));
    assert_eq!(path, "/102290129340398/message_templates");
    assert_eq!(body, expected);
}

#[test]
fn url_button_with_a_variable_carries_its_example() {
    let template = TemplateDefinition {
        buttons: vec![TemplateButton::Url {
            text: "See your visit".into(),
            url: "https://example.org/visits/{{1}}".into(),
            example: Some("https://example.org/visits/A-17".into()),
        }],
        ..text_only("visit_link", "Your visit is booked.")
    };
    let (_, body) = json_request(whatsapp_create_template("1", &template));
    assert_eq!(
        component(&body, "BUTTONS")["buttons"],
        json!([{ "type": "URL", "text": "See your visit",
            "url": "https://example.org/visits/{{1}}",
            "example": ["https://example.org/visits/A-17"] }])
    );
}

#[test]
fn sample_files_go_through_a_resumable_upload() {
    let (path, body) = json_request(whatsapp_upload_session(
        "634974688087057",
        "menu card.png",
        2048,
        "image/png",
    ));
    assert_eq!(
        path,
        "/634974688087057/uploads?file_name=menu+card.png&file_length=2048&file_type=image%2Fpng"
    );
    assert_eq!(body, json!({}));
    let session = "upload:MTphdHRhY2htZW50OjVmNDg?sig=ARZ";
    assert_eq!(
        whatsapp_upload_session_id(200, format!(r#"{{"id":"{session}"}}"#).as_bytes()),
        Ok(session.to_string())
    );
    assert!(whatsapp_upload_session_id(200, br#"{"id":"123"}"#).is_err());
    assert_eq!(
        whatsapp_upload_file(session),
        FileUpload {
            path: format!("/{session}"),
            file_offset: 0,
        }
    );
    assert_eq!(
        whatsapp_upload_handle(200, br#"{"h":"2:c2FtcGxlLm1wNA==:image/png:GKAj0gAUCZmJ1voFADip2iIAAAAAbugbAAAA:e:1472075513:ARZ_3ybzrQqEaluMUdI"}"#),
        Ok("2:c2FtcGxlLm1wNA==:image/png:GKAj0gAUCZmJ1voFADip2iIAAAAAbugbAAAA:e:1472075513:ARZ_3ybzrQqEaluMUdI".to_string())
    );
    let error = whatsapp_upload_handle(
        400,
        br#"{"error":{"message":"Invalid OAuth access token","type":"OAuthException","code":190}}"#,
    )
    .unwrap_err();
    assert_eq!(error.code, 190);
}

#[test]
fn create_template_with_text_header_footer_and_quick_reply() {
    let template = TemplateDefinition {
        category: TemplateCategory::Marketing,
        header: Some(TemplateHeader::Text {
            text: "Hello {{1}}".into(),
            sample: Some("Maria".into()),
        }),
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
        header: Some(TemplateHeader::Text {
            text: "Fall Sale".into(),
            sample: Some("ignored".into()),
        }),
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
        "/102290129340398/message_templates?fields=id,name,language,status,category,rejected_reason,components&limit=100"
    );
    assert_eq!(
        whatsapp_list_templates_path("102290129340398", Some("QVFI+a/b=")),
        "/102290129340398/message_templates?fields=id,name,language,status,category,rejected_reason,components&limit=100&after=QVFI%2Ba%2Fb%3D"
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
                    content: ListedContent {
                        header: Some(ListedHeader::Text {
                            text: "Hello World".into(),
                            sample: None,
                        }),
                        body: "Welcome and congratulations!! This message demonstrates your ability to send a message notification from WhatsApp Business Platform’s Cloud API. Thank you for taking the time to test with us.".into(),
                        footer: Some("WhatsApp Business API Team".into()),
                        ..ListedContent::default()
                    },
                },
                ListedTemplate {
                    id: "920070352646140".into(),
                    name: "2023_april_promo".into(),
                    language: "en_US".into(),
                    status: "APPROVED".into(),
                    category: Some("MARKETING".into()),
                    rejected_reason: None,
                    content: ListedContent {
                        header: Some(ListedHeader::Text {
                            text: "Fall Sale".into(),
                            sample: None,
                        }),
                        body: "Hi {{1}}, our Fall Sale is on! Use promo code {{2}} Get an extra 25% off every order above $350!".into(),
                        body_samples: vec!["Mark".into(), "FALL25".into()],
                        footer: Some("Not interested in any of our sales? Tap Stop Promotions".into()),
                        buttons: vec![TemplateButton::QuickReply {
                            text: "Stop promotions".into(),
                        }],
                        unsupported: Vec::new(),
                    },
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

#[test]
fn listed_components_are_read_back_and_unknown_parts_described() {
    let mut answer = fixture_json("list_templates.response.json");
    // The create fixture's components, as Meta lists a template made with them, plus parts
    // Switchboard does not write.
    let created = fixture_json("create_template_utility_document_header.request.json");
    let mut components = created["components"].clone();
    components[2]["buttons"]
        .as_array_mut()
        .unwrap()
        .push(json!({ "type": "OTP", "otp_type": "COPY_CODE", "text": "Copy code" }));
    components
        .as_array_mut()
        .unwrap()
        .push(json!({ "type": "CAROUSEL", "cards": [] }));
    answer["data"][1]["components"] = components;
    answer["data"][0]["components"][0] = json!({ "type": "HEADER", "format": "LOCATION" });
    let page = whatsapp_template_list(200, answer.to_string().as_bytes()).unwrap();

    let located = &page.templates[0].content;
    assert_eq!(located.header, None);
    assert_eq!(located.unsupported, ["LOCATION header"]);
    assert!(located.body.starts_with("Welcome"));

    let receipt = &page.templates[1].content;
    assert_eq!(
        receipt.header,
        Some(ListedHeader::Media(HeaderFormat::Document))
    );
    assert_eq!(receipt.body_samples, ["Mark", "860198-230332"]);
    assert_eq!(
        receipt.buttons,
        [
            TemplateButton::PhoneNumber {
                text: "Call".into(),
                phone_number: E164::parse("+16467043595").unwrap(),
            },
            TemplateButton::Url {
                text: "Contact Support".into(),
                url: "https://www.examplesite.com/support".into(),
                example: None,
            },
        ]
    );
    assert_eq!(
        receipt.unsupported,
        ["OTP button “Copy code”", "CAROUSEL component"]
    );
}
