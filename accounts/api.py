"""API of accounts: who the caller is (to check an integration token)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .selectors import user_roles


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    department = serializers.CharField(allow_null=True)
    roles = serializers.ListField(child=serializers.CharField())


class MeView(APIView):
    """The authenticated user or integration, its department and roles."""

    @extend_schema(responses=MeSerializer, operation_id="me")
    def get(self, request: Request) -> Response:
        user = request.user
        department = user.department.code if user.department_id else None
        data = {
            "username": user.get_username(),
            "department": department,
            "roles": sorted(r.value for r in user_roles(user=user)),
        }
        return Response(MeSerializer(data).data)
