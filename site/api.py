"""The open data API under /api/v1/: every app's read-only viewsets, and its OpenAPI document.

The document is declared from the same serializers and filters the endpoints use, so it cannot
drift from what they answer (tests/site/test_api.py validates it and walks every endpoint).
"""

import django_filters
from django.urls import include, path, reverse
from django.views.decorators.cache import cache_control
from rest_framework import routers
from rest_framework.decorators import api_view, authentication_classes, throttle_classes
from rest_framework.response import Response
from rest_framework.schemas.openapi import AutoSchema

from committees.api import AnonymousRateThrottle, CommitteeViewSet, MeetingViewSet, RoundViewSet
from proposals.api import ProposalViewSet, TrackedProjectViewSet
from voting.api import ResultDetailSerializer, ResultViewSet

VERSION = "1.0.0"
NULLABLE_URI = {"type": "string", "format": "uri", "nullable": True}
ENDPOINTS = [
    ("committees", CommitteeViewSet, "committee"),
    ("rounds", RoundViewSet, "round"),
    ("meetings", MeetingViewSet, "meeting"),
    ("proposals", ProposalViewSet, "proposal"),
    ("results", ResultViewSet, "result"),
    ("tracked-projects", TrackedProjectViewSet, "tracked-project"),
]

router = routers.SimpleRouter()
for prefix, viewset, basename in ENDPOINTS:
    router.register(prefix, viewset, basename=f"api-{basename}")


def _component_name(serializer_class) -> str:
    return serializer_class.__name__.removesuffix("Serializer")


def _filter_parameters(viewset) -> list[dict]:
    parameters = []
    filterset = getattr(viewset, "filterset_class", None)
    for name, field in filterset.base_filters.items() if filterset else []:
        schema = {"type": "string"}
        extra = field.extra
        if isinstance(field, django_filters.NumberFilter):
            schema = {"type": "integer"}
        elif extra.get("choices"):
            schema = {"type": "string", "enum": [str(value) for value, _label in extra["choices"]]}
        elif type(field).__name__ == "IsoDateTimeFilter":
            schema = {"type": "string", "format": "date-time"}
        parameter = {"name": name, "in": "query", "required": False, "schema": schema}
        if extra.get("help_text"):
            parameter["description"] = str(extra["help_text"])
        parameters.append(parameter)
    return parameters


def openapi_document() -> dict:
    mapper = AutoSchema()
    components: dict[str, dict] = {
        "Error": {
            "type": "object",
            "properties": {"detail": {"type": "string"}},
            "required": ["detail"],
        }
    }
    paths: dict[str, dict] = {}
    errors = {
        "404": {"$ref": "#/components/responses/NotFound"},
        "429": {"$ref": "#/components/responses/TooManyRequests"},
    }
    for prefix, viewset, basename in ENDPOINTS:
        serializer_class = viewset.serializer_class
        name = _component_name(serializer_class)
        components[name] = mapper.map_serializer(serializer_class())
        detail_class = ResultDetailSerializer if viewset is ResultViewSet else serializer_class
        detail_name = _component_name(detail_class)
        components[detail_name] = mapper.map_serializer(detail_class())
        tag = prefix
        summary = (viewset.__doc__ or "").strip().splitlines()[0]
        paths[f"/api/v1/{prefix}/"] = {
            "get": {
                "operationId": f"list_{basename.replace('-', '_')}s",
                "summary": summary,
                "tags": [tag],
                "parameters": [
                    {"$ref": "#/components/parameters/page"},
                    {"$ref": "#/components/parameters/page_size"},
                    *_filter_parameters(viewset),
                ],
                "responses": {
                    "200": {
                        "description": "One page of results.",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["count", "next", "previous", "results"],
                                    "properties": {
                                        "count": {"type": "integer"},
                                        "next": NULLABLE_URI,
                                        "previous": NULLABLE_URI,
                                        "results": {
                                            "type": "array",
                                            "items": {"$ref": f"#/components/schemas/{name}"},
                                        },
                                    },
                                }
                            }
                        },
                    },
                    "404": errors["404"],
                    "429": errors["429"],
                },
            }
        }
        lookup = viewset.lookup_url_kwarg or "id"
        lookup = "id" if lookup == "pk" else lookup
        paths[f"/api/v1/{prefix}/{{{lookup}}}/"] = {
            "get": {
                "operationId": f"get_{basename.replace('-', '_')}",
                "summary": summary,
                "tags": [tag],
                "parameters": [
                    {"name": lookup, "in": "path", "required": True, "schema": {"type": "integer"}}
                ],
                "responses": {
                    "200": {
                        "description": "One item.",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": f"#/components/schemas/{detail_name}"}
                            }
                        },
                    },
                    **errors,
                },
            }
        }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Borgerbudget open data",
            "version": VERSION,
            "description": (
                "Read-only public data of the participatory budgets: committees, rounds, "
                "meetings, proposals, results and the follow-up of funded projects. No personal "
                "data. Anonymous clients are rate limited (HTTP 429 with Retry-After)."
            ),
            "license": {"name": "CC BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"},
        },
        "servers": [{"url": "/"}],
        "tags": [{"name": prefix} for prefix, _viewset, _basename in ENDPOINTS],
        "paths": paths,
        "components": {
            "schemas": components,
            "parameters": {
                "page": {
                    "name": "page",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "integer", "minimum": 1},
                },
                "page_size": {
                    "name": "page_size",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "integer", "minimum": 1, "maximum": 200},
                },
            },
            "responses": {
                "NotFound": {
                    "description": "No such item or page.",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    },
                },
                "TooManyRequests": {
                    "description": "Rate limit reached; retry after the given seconds.",
                    "headers": {
                        "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds."}
                    },
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    },
                },
            },
        },
    }


@api_view(["GET"])
@authentication_classes([])
@throttle_classes([AnonymousRateThrottle])
@cache_control(max_age=300, public=True)
def openapi_view(request):
    return Response(openapi_document())


@api_view(["GET"])
@authentication_classes([])
@throttle_classes([AnonymousRateThrottle])
def index_view(request):
    """Where to start: every endpoint and the OpenAPI document."""
    return Response(
        {
            "version": VERSION,
            "openapi": request.build_absolute_uri(reverse("api-openapi")),
            "endpoints": {
                prefix: request.build_absolute_uri(reverse(f"api-{basename}-list"))
                for prefix, _viewset, basename in ENDPOINTS
            },
        }
    )


urlpatterns = [
    path("", index_view, name="api-index"),
    path("openapi.json", openapi_view, name="api-openapi"),
    path("", include(router.urls)),
]
