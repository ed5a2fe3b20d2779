"""Cases leave the intake app's migration state; casework/0001 took them over with their tables.

State only: the `intake_*` tables and their rows stay exactly where they are.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0008_inbox_resolve_due_index"),
        ("casework", "0001_move_cases_from_intake"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="CaseEvent"),
                migrations.DeleteModel(name="CasePhoto"),
                migrations.DeleteModel(name="GrievanceReport"),
                migrations.DeleteModel(name="CaseCategory"),
                migrations.DeleteModel(name="CalendarDay"),
                migrations.DeleteModel(name="DailySequence"),
            ],
            database_operations=[],
        ),
    ]
