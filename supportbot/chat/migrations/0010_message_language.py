from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("chat", "0009_conversation_visitor_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="language",
            field=models.CharField(blank=True, max_length=16),
        ),
    ]
