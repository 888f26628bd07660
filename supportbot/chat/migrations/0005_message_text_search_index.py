"""A GIN index for the log review's full-text search on PostgreSQL (supportbot.ops.search).

Its expression is the one Django generates for SearchVector("text", config="simple"):
to_tsvector('simple'::regconfig, COALESCE("text", '')). The planner only uses an expression
index for the very same expression, so the index is built from that SearchVector. SQLite has no
such index (its search is a substring scan), so there the migration does nothing. Built
concurrently: a plain CREATE INDEX would block writes to the messages (live chats) meanwhile."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

TEXT_SEARCH_INDEX = GinIndex(SearchVector("text", config="simple"), name="chat_message_text_search")


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("chat", "Message"), TEXT_SEARCH_INDEX, concurrently=True)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("chat", "Message"), TEXT_SEARCH_INDEX, concurrently=True)


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ("chat", "0004_message_author_name"),
    ]

    operations = [migrations.RunPython(create_index, drop_index)]
