"""The house template tags, as a page prints them."""

from django.template import engines


def _render(source, **context):
    return engines["django"].from_string("{% load kp %}" + source).render(context)


def test_it_writes_a_datalist_with_every_value_escaped():
    html = _render(
        '{% datalist "owner-options" names %}',
        names=["南宁轨道交通集团", 'A&B "建设" <公司>', "O'Neil"],
    )
    assert html == (
        '<datalist id="owner-options">'
        '<option value="南宁轨道交通集团">'
        '<option value="A&amp;B &quot;建设&quot; &lt;公司&gt;">'
        '<option value="O&#x27;Neil">'
        "</datalist>"
    )


def test_it_writes_no_datalist_without_values():
    assert _render('{% datalist "owner-options" names %}', names=[]) == ""
