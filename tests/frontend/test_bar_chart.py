import re

from django.template.loader import render_to_string
from django.utils import translation

from frontend.charts import bar_chart


def test_a_tall_chart_keeps_its_coordinates_whole_in_danish():
    # Danish groups thousands with a dot and writes decimals with a comma: a 30-row chart must
    # still say y="1287" and width="97.5%", not "1.287" or "97,5%".
    rows = [(f"Projekt {n}", 1_000 + n, f"{1_000 + n:,}".replace(",", ".")) for n in range(30)]
    chart = bar_chart(rows, title="Stemmer", column="Stemmer", prefix="c")
    last = chart.bars[-1]
    assert last.label_y > 999 and chart.height > 999
    with translation.override("da"):
        svg = render_to_string("frontend/components/bar_chart.html", {"chart": chart})
    assert f'height="{chart.height}"' in svg
    assert f'y="{last.label_y}"' in svg and f'y="{last.bar_y}"' in svg
    assert not re.search(r'\s(?:x|y|width|height)="[^"]*,', svg)
    assert "1.029" in svg  # the figures people read stay grouped
