"""A fresh install's canned replies, in Thai and English (docs/support.md). Editable
afterwards; never overwritten."""

from django.db import migrations

REPLIES = [
    (
        "th",
        "รับเรื่องแล้ว",
        "สวัสดีค่ะ คุณ{name}\n\nเราได้รับเรื่อง {ticket} แล้ว และจะติดต่อกลับโดยเร็วที่สุด"
        "\n\n{agent}\n{shop}",
    ),
    (
        "th",
        "แก้ไขเรียบร้อย",
        "สวัสดีค่ะ คุณ{name}\n\nเรื่อง {ticket} ได้รับการแก้ไขเรียบร้อยแล้ว"
        " หากยังมีปัญหา ตอบกลับข้อความนี้ได้เลยค่ะ\n\n{agent}\n{shop}",
    ),
    (
        "en",
        "We have your request",
        "Hello {name},\n\nWe have received your request {ticket} and will get back to you "
        "as soon as we can.\n\n{agent}\n{shop}",
    ),
    (
        "en",
        "Solved",
        "Hello {name},\n\nYour request {ticket} is solved. If anything is still wrong, just "
        "reply to this message.\n\n{agent}\n{shop}",
    ),
]


def defaults(apps, schema_editor):
    CannedReply = apps.get_model("support", "CannedReply")
    if not CannedReply.objects.exists():
        CannedReply.objects.bulk_create(
            CannedReply(language=language, title=title, body=body)
            for language, title, body in REPLIES
        )


class Migration(migrations.Migration):
    dependencies = [("support", "0004_replies")]
    operations = [migrations.RunPython(defaults, migrations.RunPython.noop)]
