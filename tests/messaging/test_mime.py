"""The e-mail bytes written by hand, read back by the standard library's parser: every
header and part must come out as it went in, with no defects."""

import base64
import email
import email.policy

import pytest

from samphan.messaging.channels.mime import HeaderError, ascii_address, email_bytes, mailbox

THAI = "โปรโมชั่นพิเศษสำหรับสมาชิกระดับทอง รับส่วนลด 20% ทุกรายการ ถึงสิ้นเดือนนี้เท่านั้น"


def parsed(raw: bytes) -> email.message.EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert all(not part.defects for part in message.walk()), [p.defects for p in message.walk()]
    return message  # type: ignore[return-value]


def written(**overrides):
    fields = {
        "from_header": mailbox("Samphan <crm@example.com>"),
        "to": "ann@example.com",
        "subject": THAI,
        "text": "สวัสดีค่ะ คุณแอน\nรับส่วนลด 20%\n",
        "message_id": "<0f8fad5b-d9cb-469f-a165-70867728950e@example.com>",
    }
    return email_bytes(**{**fields, **overrides})


@pytest.mark.parametrize(
    "subject",
    ["Hello", "A" * 120, THAI, THAI * 4, "ก" * 15 + "😀" * 20, "Line\r\nBcc: eve@example.com", ""],
)
def test_subjects_come_back_whole(subject):
    raw = written(subject=subject)
    message = parsed(raw)
    assert message["Subject"] == subject
    assert "Bcc" not in message  # a line break in the subject cannot start a header
    head = raw.split(b"\r\n\r\n")[0]
    assert all(len(line) <= 78 for line in head.split(b"\r\n"))


def test_no_encoded_word_splits_a_character():
    head = written(subject="ก" * 15 + "😀" * 20).split(b"\r\n\r\n")[0].decode()
    words = [w for w in head.replace("\r\n ", " ").split() if w.startswith("=?utf-8?b?")]
    assert len(words) > 1
    for word in words:
        base64.b64decode(word[10:-2]).decode()  # each word is whole UTF-8 on its own


def test_text_only_and_text_with_html():
    text_only = parsed(written())
    assert text_only.get_content_type() == "text/plain"
    assert text_only.get_content() == "สวัสดีค่ะ คุณแอน\r\nรับส่วนลด 20%\r\n"  # CRLF, as RFC 2045 asks
    both = parsed(written(html="<p>สวัสดีค่ะ <b>คุณแอน</b></p>" * 40))
    assert both.get_content_type() == "multipart/alternative"
    assert both.get_body(("html",)).get_content() == "<p>สวัสดีค่ะ <b>คุณแอน</b></p>" * 40
    assert both.get_body(("plain",)).get_content().startswith("สวัสดีค่ะ คุณแอน")


def test_headers():
    message = parsed(written(extra=[("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")]))
    assert message["From"] == "Samphan <crm@example.com>"
    assert message["To"] == "ann@example.com"
    assert message["Message-ID"] == "<0f8fad5b-d9cb-469f-a165-70867728950e@example.com>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Date"].datetime is not None
    assert message["MIME-Version"] == "1.0"


def test_a_thai_sender_name_and_a_thai_domain():
    message = parsed(written(from_header=mailbox("ร้านสัมพันธ์ <crm@example.com>"), to="ann@ไทย.com"))
    assert message["From"].addresses[0].display_name == "ร้านสัมพันธ์"
    assert message["To"] == "ann@xn--o3cw4h.com"


@pytest.mark.parametrize(
    "to", ["แอน@example.com", "ann@example.com\r\nBcc: eve@example.com", "ann", "@example.com"]
)
def test_addresses_no_server_would_take_are_refused(to):
    with pytest.raises(HeaderError):
        written(to=to)


def test_a_header_value_with_a_line_break_is_refused():
    with pytest.raises(HeaderError):
        written(extra=[("List-Unsubscribe", "<https://x/>\r\nBcc: eve@example.com")])


def test_ascii_address_keeps_plain_ones():
    assert ascii_address(" ann@example.com ") == "ann@example.com"


@pytest.mark.parametrize("html", ["", "<p>สวัสดีค่ะ</p>"])
@pytest.mark.parametrize("filename", ["QT-2026-000001.pdf", "ใบเสนอราคา 1.pdf"])
def test_attachments_come_back_whole_after_the_text(html, filename):
    from samphan.messaging.channels.mime import Attachment

    pdf = b"%PDF-1.7\n" + bytes(range(256)) * 40
    message = parsed(written(html=html, attachments=[Attachment(filename, "application/pdf", pdf)]))
    assert message.get_content_type() == "multipart/mixed"
    assert "สวัสดีค่ะ คุณแอน" in message.get_body(preferencelist=("plain",)).get_content()
    if html:
        assert "<p>สวัสดีค่ะ</p>" in message.get_body(preferencelist=("html",)).get_content()
    (attached,) = list(message.iter_attachments())
    assert attached.get_filename() == filename
    assert attached.get_content_type() == "application/pdf"
    assert attached.get_content() == pdf
