"""Take out what the former page cache installed on PostgreSQL after every migrate: a
statement trigger on every domain table advancing a sequence, and its functions. The code that
read them is gone; a database upgraded from it would otherwise keep paying for the triggers on
every write. CASCADE drops the triggers with the function they call."""

from django.db import migrations


def drop_change_counter(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP FUNCTION IF EXISTS cto_changes_touch() CASCADE")
    schema_editor.execute("DROP FUNCTION IF EXISTS cto_changes_mark()")
    schema_editor.execute("DROP SEQUENCE IF EXISTS cto_changes")


class Migration(migrations.Migration):
    dependencies = []

    operations = [migrations.RunPython(drop_change_counter, migrations.RunPython.noop)]
