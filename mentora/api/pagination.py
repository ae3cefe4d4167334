from rest_framework.pagination import LimitOffsetPagination


class Pages(LimitOffsetPagination):
    """`?limit=&offset=`: 100 rows unless asked, never more than 500 in one answer."""

    max_limit = 500
