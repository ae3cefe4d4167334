import time
from typing import Any

from oauth2_provider.oauth2_validators import OAuth2Validator

# A client whose ID tokens this provider issues already expired, so that the tests can
# show such a token is refused.
STALE_CLIENT = "stale"


class Validator(OAuth2Validator):
    # Every claim goes into the ID token, whatever scopes were asked for.
    oidc_claim_scope = None

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        # The test provider keeps the employee id in the user's first_name field.
        return {"email": request.user.email, "employee_id": request.user.first_name}

    def get_id_token_dictionary(self, token: Any, token_handler: Any, request: Any) -> Any:
        claims, expiration_time = super().get_id_token_dictionary(token, token_handler, request)
        if getattr(request.client, "client_id", None) == STALE_CLIENT:
            claims["exp"] = int(time.time()) - 3600
        return claims, expiration_time
