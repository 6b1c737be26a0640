"""Data: sessions stop carrying the default staffing ratios (None = the occupation's standard or spec,
else the default), and every existing score becomes the independent entries it stands for: the first
entrant's, plus the checker's when it was double-checked. An unconfirmed score nobody checked is no
longer accepted (it waits for the second entry), so its session goes back from scored to in progress."""

from django.db import migrations

DEFAULTS = {"candidates_per_invigilator": 15, "invigilators_per_room": 2, "candidates_per_examiner": 5, "min_examiners": 3}


def forward(apps, schema_editor):
    Session = apps.get_model("assessments", "AssessmentSession")
    Score = apps.get_model("assessments", "Score")
    Entry = apps.get_model("assessments", "ScoreEntry")
    Session.objects.update(**dict.fromkeys(DEFAULTS))
    entries = []
    for score in Score.objects.all().iterator():
        entries.append(
            Entry(
                registration_id=score.registration_id,
                entered_by_id=score.entered_by_id,
                theory=score.theory,
                skill=score.skill,
                entered_at=score.entered_at,
            )
        )
        if score.checked_by_id and score.checked_by_id != score.entered_by_id:
            entries.append(
                Entry(
                    registration_id=score.registration_id,
                    entered_by_id=score.checked_by_id,
                    theory=score.theory,
                    skill=score.skill,
                    entered_at=score.entered_at,
                )
            )
    Entry.objects.bulk_create(entries, batch_size=2000)
    unchecked = Score.objects.filter(confirmed=False, checked_by__isnull=True)
    sessions = set(unchecked.values_list("registration__session_id", flat=True))
    unchecked.delete()
    Session.objects.filter(pk__in=sessions, status="scored").update(status="in_progress")


def backward(apps, schema_editor):
    Session = apps.get_model("assessments", "AssessmentSession")
    Session.objects.filter(candidates_per_invigilator__isnull=True).update(candidates_per_invigilator=15)
    Session.objects.filter(invigilators_per_room__isnull=True).update(invigilators_per_room=2)
    Session.objects.filter(candidates_per_examiner__isnull=True).update(candidates_per_examiner=5)
    Session.objects.filter(min_examiners__isnull=True).update(min_examiners=3)
    apps.get_model("assessments", "ScoreEntry").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("assessments", "0002_double_entry_and_staffing_policy")]

    operations = [migrations.RunPython(forward, backward)]
