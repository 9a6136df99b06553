#!/usr/bin/env python3
"""moto_server with fixes for gaps the tests meet (test-side only; the product reads AWS's
real format):

- SearchTransitGatewayRoutes: moto keeps a route's attachment as one object, which its XML
  serializer drops, so every route would come back without `transitGatewayAttachments`. AWS
  returns a list; the patch wraps the object in one.

  moto_server_patched.py -H HOST -p PORT
"""
import sys

from moto.ec2.models import transit_gateway_route_tables as m

_search = m.TransitGatewayRouteTableBackend.search_transit_gateway_routes


def search(self, *args, **kwargs):
    routes = _search(self, *args, **kwargs)
    out = []
    for r in routes:
        r = dict(r)
        att = r.get("transitGatewayAttachments")
        if isinstance(att, dict):
            r["transitGatewayAttachments"] = [att]
        out.append(r)
    return out


m.TransitGatewayRouteTableBackend.search_transit_gateway_routes = search

from moto.server import main  # noqa: E402

main(sys.argv[1:])
