"""Domain errors. Their messages are pt-BR and safe to show to the user as they are."""


class DomainError(Exception):
    """Base of every error the core raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """The record does not exist (or is not visible to this user)."""


class Forbidden(DomainError):
    """The user lacks the grant for this action. Always audited before it is raised."""


class Invalid(DomainError):
    """Bad input. `problems` maps a field name to its pt-BR complaint, for forms."""

    def __init__(self, message: str, problems: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or {}


class Conflict(DomainError):
    """Someone else changed the record first, or a resource is held elsewhere."""


class Unavailable(DomainError):
    """The database failed under this action (e.g. DuckDB invalidated it) and was reopened."""


class AlreadyRegistered(Conflict):
    """A unique key (an entity's CPF/CNPJ, a title's prefix/number/installment/type) is taken,
    usually by someone who saved the same record a moment before."""


STALE_RECORD = "Este registro foi alterado por outro usuário. Recarregue a tela e tente novamente."
ALREADY_REGISTERED = (
    "Registro já cadastrado (possivelmente por outro usuário neste instante)."
    " Recarregue a tela e confira antes de tentar de novo."
)
DATABASE_REOPENED = (
    "O banco de dados falhou ao gravar esta operação e foi reaberto; nada desta operação foi"
    " gravado. Tente novamente."
)
DATABASE_UNAVAILABLE = (
    "O banco de dados está indisponível no momento; nada desta operação foi gravado. Tente"
    " novamente em instantes ou avise o administrador."
)
