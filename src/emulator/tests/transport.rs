//! Authentication, routing and body errors, and the server's life cycle over real sockets.

use super::*;

#[tokio::test]
async fn requests_without_the_right_bearer_token_are_unauthorized() {
    let api = Harness::new();
    let cases: [(&str, Option<String>); 6] = [
        ("missing header", None),
        ("wrong token", Some("Bearer nope".into())),
        ("token prefix", Some("Bearer test".into())),
        ("token with suffix", Some(format!("Bearer {TOKEN}x"))),
        ("basic scheme", Some(format!("Basic {TOKEN}"))),
        ("scheme only", Some("Bearer".into())),
    ];
    for path in ["/v1/orgs/acme/members", "/_emulator/stats", "/nowhere"] {
        for (case, authorization) in &cases {
            let mut request =
                Request::builder().uri(format!("http://{}{}", api.server.addr(), path));
            if let Some(value) = authorization {
                request = request.header(header::AUTHORIZATION, value);
            }
            let reply = api
                .send(request.body(Full::default()).unwrap())
                .await
                .unwrap();
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{case} on {path}");
            assert_eq!(reply.error_code(), "unauthorized", "{case}");
            assert!(reply.body["error"]["message"].is_string());
        }
    }

    let lowercase = Request::builder()
        .uri(format!("http://{}/v1/orgs/acme/members", api.server.addr()))
        .header(header::AUTHORIZATION, format!("bearer {TOKEN}"))
        .body(Full::default())
        .unwrap();
    assert_eq!(api.send(lowercase).await.unwrap().status, StatusCode::OK);
}

#[tokio::test]
async fn malformed_requests_get_the_matching_error() {
    let api = Harness::new();
    let addr = api.server.addr();
    let raw = |method: Method, path: &str, body: Vec<u8>| {
        Request::builder()
            .method(method)
            .uri(format!("http://{addr}{path}"))
            .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
            .body(Full::new(Bytes::from(body)))
            .unwrap()
    };
    let huge = format!(
        "{{\"email\":\"a@b\",\"title\":\"{}\"}}",
        "x".repeat(1024 * 1024)
    );
    let deep = "[".repeat(10_000);
    let cases = [
        (
            raw(Method::POST, "/v1/orgs/acme/members", b"{nope".to_vec()),
            400,
            "invalid_json",
        ),
        (
            raw(Method::POST, "/v1/orgs/acme/members", Vec::new()),
            400,
            "invalid_json",
        ),
        (
            raw(Method::POST, "/v1/orgs/acme/members", deep.into_bytes()),
            400,
            "invalid_json",
        ),
        (
            raw(Method::POST, "/v1/orgs/acme/members", huge.into_bytes()),
            413,
            "payload_too_large",
        ),
        (
            raw(Method::GET, "/v2/anything", Vec::new()),
            404,
            "not_found",
        ),
        (
            raw(Method::GET, "/v1/orgs/acme/members/", Vec::new()),
            404,
            "not_found",
        ),
        (
            raw(Method::GET, "/v1/orgs/bad.org/members", Vec::new()),
            404,
            "not_found",
        ),
        (
            raw(
                Method::GET,
                &format!("/v1/orgs/{}/members", "a".repeat(65)),
                Vec::new(),
            ),
            404,
            "not_found",
        ),
        (
            raw(Method::PUT, "/v1/orgs/acme/members", Vec::new()),
            405,
            "method_not_allowed",
        ),
        (
            raw(Method::POST, "/v1/orgs/acme/members/mbr_x", Vec::new()),
            405,
            "method_not_allowed",
        ),
        (
            raw(Method::GET, "/_emulator/reset", Vec::new()),
            405,
            "method_not_allowed",
        ),
    ];
    for (i, (request, status, code)) in cases.into_iter().enumerate() {
        let reply = api.send(request).await.unwrap();
        assert_eq!(reply.status.as_u16(), status, "case {i}");
        assert_eq!(reply.error_code(), code, "case {i}");
    }

    let long_org = format!("/v1/orgs/{}/members", "a".repeat(64));
    assert_eq!(api.get(&long_org).await.status, StatusCode::OK);
    let not_allowed = api.call(Method::PUT, "/v1/orgs/acme/members", None).await;
    assert_eq!(not_allowed.headers[header::ALLOW], "GET, POST");
}

#[tokio::test]
async fn start_reports_bind_errors_and_stop_frees_the_port() {
    let first = start("127.0.0.1:0".parse().unwrap(), TOKEN).unwrap();
    let addr = first.addr();
    assert_ne!(addr.port(), 0);
    assert!(start(addr, TOKEN).is_err());

    first.stop();
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[test]
fn one_connection_serves_several_requests_in_turn() {
    use std::io::{Read, Write};

    // A plain socket makes the reuse visible: every reply must arrive on the same stream.
    let server = start("127.0.0.1:0".parse().unwrap(), TOKEN).unwrap();
    let mut stream = std::net::TcpStream::connect(server.addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let request = format!(
        "GET /v1/orgs/acme/members HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n\r\n"
    );
    let body = r#"{"data":[],"total":0}"#;
    for _ in 0..3 {
        stream.write_all(request.as_bytes()).unwrap();
        let mut text = String::new();
        let mut buffer = [0; 4096];
        while !text.ends_with(body) {
            let read = stream.read(&mut buffer).unwrap();
            assert_ne!(read, 0, "connection closed after {text}");
            text.push_str(&String::from_utf8_lossy(&buffer[..read]));
        }
        assert!(text.starts_with("HTTP/1.1 200 OK"), "{text}");
    }
}

#[test]
fn oversized_chunked_body_without_a_length_is_refused_with_413() {
    use std::io::{Read, Write};

    let server = start("127.0.0.1:0".parse().unwrap(), TOKEN).unwrap();
    let mut stream = std::net::TcpStream::connect(server.addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let head = format!(
        "POST /v1/orgs/acme/members HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n\
         Transfer-Encoding: chunked\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).unwrap();
    let chunk = format!("10000\r\n{}\r\n", " ".repeat(0x10000));
    for _ in 0..17 {
        stream.write_all(chunk.as_bytes()).unwrap();
    }
    stream.write_all(b"0\r\n\r\n").unwrap();

    let mut reply = String::new();
    stream.read_to_string(&mut reply).unwrap();
    assert!(reply.starts_with("HTTP/1.1 413"), "{reply}");
    assert!(reply.contains("payload_too_large"), "{reply}");
}

#[tokio::test]
async fn serve_answers_on_the_callers_runtime_until_its_future_is_dropped() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(LegacyApi::new(TOKEN).serve(listener));

    let client: Client<HttpConnector, Full<Bytes>> =
        Client::builder(TokioExecutor::new()).build_http();
    let request = Request::builder()
        .uri(format!("http://{addr}/v1/orgs/acme/members"))
        .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
        .body(Full::default())
        .unwrap();
    assert_eq!(
        client.request(request).await.unwrap().status(),
        StatusCode::OK
    );

    server.abort();
    let _ = server.await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}
