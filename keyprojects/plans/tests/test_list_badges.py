"""The annual list marks a 超亿元 project by its name, never beside an amount in 万元 as if it were
that amount's unit."""

import re

from django.urls import reverse

from keyprojects.plans.tests.list_support import make_world


def test_it_marks_a_project_over_100_million_by_its_name_not_its_amount(client, cast):
    world = make_world(cast)
    client.force_login(world.staff)

    html = client.get(reverse("annual_list")).content.decode()

    rows = {
        name: row
        for row in re.findall(r"<tr.*?</tr>", html, re.S)
        for name in (world.project_a.name, world.project_b.name)
        if name in row
    }
    over, under = rows[world.project_a.name], rows[world.project_b.name]
    name_cell = re.search(r"<td><a .*?</td>", over, re.S).group()
    assert ">超亿元</span>" in name_cell
    assert re.search(r'<td class="num">120,000</td>', over)
    assert "超亿元" not in under and ">亿<" not in html
