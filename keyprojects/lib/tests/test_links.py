from django.urls import reverse

from keyprojects.lib.links import pk_link


def test_a_row_link_is_the_url_reverse_gives():
    for name in ("project_detail", "problem_detail", "task_detail", "task_project"):
        link = pk_link(name)
        for pk in (1, 42, 987654321, 10**12):
            assert link(pk) == reverse(name, args=[pk])
