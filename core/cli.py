"""Command line for the server's operator: `python -m core.cli create-admin`,
`python -m core.cli verify-audit` (exit status 0 when the audit chain is intact, 2 when not,
3 when the database cannot be opened because the app's server holds it) and
`python -m core.cli copy-db --to postgresql://…` (moving the installation up).

Commands open and migrate the database and nothing more: they never seed demo data, whatever
CALLCENTER_DEMO says (that is the app's start-up, core.bootstrap.start). The password is typed
at the prompt (never an argument, never a file), so it does not land in the shell history or
the repository.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from core import audit, users
from core.bootstrap import DatabaseInUse, open_installation
from core.config import load_settings
from core.db import open_database
from core.db.copy import copy_database
from core.db.postgres import is_url
from core.errors import DomainError

IN_USE = 3


def _in_use(error: DatabaseInUse, alternative: str) -> int:
    print(f"{error.message}\nO que fazer: pare o servidor do aplicativo e rode o comando de novo"
          f"{alternative}.", file=sys.stderr)  # fmt: skip
    return IN_USE


def create_admin(args: argparse.Namespace) -> int:
    settings = load_settings()
    try:
        db = open_installation(settings)
    except DatabaseInUse as error:
        return _in_use(error, "")
    try:
        password = getpass.getpass("Senha do administrador: ")
        if password != getpass.getpass("Repita a senha: "):
            print("As senhas não conferem.", file=sys.stderr)
            return 1
        user_id = users.create_first_admin(db, args.username, args.name, password)
    except DomainError as error:
        print(error.message, file=sys.stderr)
        return 1
    finally:
        db.close()
    print(f"Administrador '{args.username}' criado (id {user_id}) em {settings.db_path}.")
    return 0


def verify_audit(args: argparse.Namespace) -> int:
    settings = load_settings()
    try:
        db = open_installation(settings)
    except DatabaseInUse as error:
        return _in_use(error, ", ou verifique pela tela LGPD › Auditoria › Verificar integridade")
    try:
        report = audit.verify_chain(db)
    finally:
        db.close()
    print(f"Registros verificados: {report.checked}")
    print(f"Último registro da cadeia: {report.head_seq} · hash {report.head_hash}")
    if report.unauthenticated_up_to:
        print(f"Registros 1 a {report.unauthenticated_up_to} são anteriores à autenticação"
              " dos registros (protegidos só pelo encadeamento).")  # fmt: skip
    if report.ok:
        print("Integridade do log de auditoria: OK")
        return 0
    print(f"ROMPIDO no registro {report.broken_seq}: {report.problem}", file=sys.stderr)
    return 2


def copy_db(args: argparse.Namespace) -> int:
    """Move this installation's DuckDB file (CALLCENTER_DB) up to an empty PostgreSQL database,
    then check the audit chain there."""
    settings = load_settings()
    if is_url(settings.db_path):
        print("CALLCENTER_DB já aponta para o PostgreSQL: a origem é o arquivo DuckDB.",
              file=sys.stderr)  # fmt: skip
        return 1
    if not is_url(args.to):
        print("--to deve ser uma URL postgresql://usuario:senha@servidor:porta/banco",
              file=sys.stderr)  # fmt: skip
        return 1
    try:
        source = open_installation(settings)
    except DatabaseInUse as error:
        return _in_use(error, "")
    try:
        target = open_database(args.to)
    except DomainError as error:
        source.close()
        print(error.message, file=sys.stderr)
        return 1

    def show(table: str, done: int, total: int) -> None:
        print(f"  {table}: {done:,} de {total:,} linha(s)".replace(",", "."), flush=True)

    try:
        print(f"Copiando {settings.db_path} para {target.path} (uma transação)…")
        copied = copy_database(source, target, show)
        report = audit.verify_chain(target)
    except DomainError as error:
        print(error.message, file=sys.stderr)
        return 1
    finally:
        source.close()
        target.close()
    print(f"{copied:,} linha(s) copiada(s).".replace(",", "."))
    if not report.ok:
        print(f"Auditoria no destino ROMPIDA no registro {report.broken_seq}: {report.problem}",
              file=sys.stderr)  # fmt: skip
        return 2
    print(f"Auditoria no destino: OK ({report.checked} registro(s) verificados).")
    print("Para usar o PostgreSQL: CALLCENTER_DB=<a mesma URL> e o mesmo arquivo de segredos.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m core.cli", description="Call Center")
    commands = parser.add_subparsers(dest="command", required=True)
    admin = commands.add_parser("create-admin", help="cria o primeiro administrador")
    admin.add_argument("--username", required=True)
    admin.add_argument("--name", required=True)
    admin.set_defaults(handler=create_admin)
    verify = commands.add_parser("verify-audit", help="verifica a integridade do log de auditoria")
    verify.set_defaults(handler=verify_audit)
    copy = commands.add_parser("copy-db", help="copia o arquivo DuckDB para um PostgreSQL vazio")
    copy.add_argument("--to", required=True, help="postgresql://usuario:senha@servidor/banco")
    copy.set_defaults(handler=copy_db)
    args = parser.parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
