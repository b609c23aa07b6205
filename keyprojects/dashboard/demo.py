"""The demo city's district boundaries (called by keyprojects/demo/loader.py after the annual lists
and reports): synthetic polygons around each demo district's centre, for the project map — Voronoi
cells among the centres with a ragged outer edge. Plausible shapes, not surveyed borders: the office
uploads the real ones."""

import math
import random

from keyprojects.dashboard.models import DistrictBoundary
from keyprojects.orgs.models import Organisation
from keyprojects.projects.demo import DISTRICTS


def _outline(rng, centre, others, spread, vertices=48) -> list:
    """A closed ring around CENTRE (lat, lng): the district's Voronoi cell among the OTHER centres, so
    that neighbours share straight borders, cut off far from town by a smoothly wobbling edge about
    four × SPREAD out (the demo scatters a district's projects within ± SPREAD of its centre)."""
    lat0, lng0 = centre
    scale = math.cos(math.radians(lat0))  # degrees of longitude shrink with latitude
    neighbours = [((lng - lng0) * scale, lat - lat0) for lat, lng in others]
    phase1, phase2 = rng.uniform(0, 2 * math.pi), rng.uniform(0, 2 * math.pi)
    ring = []
    for i in range(vertices):
        angle = 2 * math.pi * i / vertices
        ux, uy = math.cos(angle), math.sin(angle)
        wobble = 1 + 0.15 * math.sin(3 * angle + phase1) + 0.08 * math.sin(5 * angle + phase2)
        radius = spread * 4 * wobble
        for vx, vy in neighbours:
            toward = ux * vx + uy * vy
            if toward > 0:  # the perpendicular bisector with that neighbour, in this direction
                radius = min(radius, (vx * vx + vy * vy) / (2 * toward))
        ring.append([round(lng0 + radius * ux / scale, 6), round(lat0 + radius * uy, 6)])
    ring.append(ring[0])
    return ring


def load_dashboard_demo(*, seed=2026, stdout=None) -> dict:
    rng = random.Random(seed)
    orgs = {o.name: o for o in Organisation.objects.filter(kind=Organisation.Kind.DISTRICT)}
    boundaries = []
    centres = [(lat, lng) for _name, _short, _code, lat, lng, *_rest in DISTRICTS]
    for name, short, _code, lat, lng, spread, *_rest in DISTRICTS:
        ring = _outline(rng, (lat, lng), [c for c in centres if c != (lat, lng)], spread)
        org = orgs.get(name)
        if org is None:
            continue
        boundaries.append(
            DistrictBoundary(
                organisation=org,
                geojson={
                    "type": "FeatureCollection",
                    "features": [
                        {
                            "type": "Feature",
                            "properties": {"name": short or name},
                            "geometry": {"type": "MultiPolygon", "coordinates": [[ring]]},
                        }
                    ],
                },
                vertices=len(ring),
                original_name="demo-boundary.geojson",
            )
        )
    DistrictBoundary.objects.bulk_create(boundaries)
    if stdout is not None:
        stdout.write(f"城区边界 {len(boundaries)} 个（演示用示意边界）\n")
    return {"boundaries": len(boundaries)}
