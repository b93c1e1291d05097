"""Workshop maps: build (`build`), saved layouts (`layout`), workshop proposals (`proposals`),
the data from the database (`data`), the HTML page (`page`), offline pictures (`picture`),
the look (`style`), node and edge collection with the layout (`builder`) and the workshop
import (`workshop`).

Maps import the domain (`graphsvc.core`), never the reverse.
"""

from graphsvc.maps.build import (
    NetworkMap,
    build_map,
    check_layers,
    default_max_nodes,
)
from graphsvc.maps.builder import zone_anchors
from graphsvc.maps.data import DEFAULT_HOPS, actor_map, check_hops, zone_map
from graphsvc.maps.page import render_html
from graphsvc.maps.style import EDGE_STYLES, LAYERS, LINE_COLOURS, STATUS_COLOURS

__all__ = [
    "DEFAULT_HOPS",
    "EDGE_STYLES",
    "LAYERS",
    "LINE_COLOURS",
    "STATUS_COLOURS",
    "NetworkMap",
    "actor_map",
    "build_map",
    "check_hops",
    "check_layers",
    "default_max_nodes",
    "render_html",
    "zone_anchors",
    "zone_map",
]
