"""The shared catalogues: Telemarketing occurrences, actions, closing and cancellation
reasons, media and campaigns (one of them inactive, one already over)."""

from __future__ import annotations

from datetime import timedelta

from core.db import Tx

DEMO_OCCURRENCES = (
    ("RECL01", "Reclamação", "Produto com defeito"),
    ("RECL02", "Reclamação", "Atraso na entrega"),
    ("RECL03", "Reclamação", "Cobrança indevida"),
    ("DUV01", "Dúvida", "Uso do produto"),
    ("DUV02", "Dúvida", "Prazo de garantia"),
    ("SOL01", "Solicitação", "Segunda via de boleto"),
    ("SOL02", "Solicitação", "Troca de produto"),
    ("SUG01", "Sugestão", "Melhoria no atendimento"),
    ("ELO01", "Elogio", "Atendimento prestado"),
)
DEMO_SIMPLE_CATALOGUES = {
    "acao": (
        ("RET", "Retornar ao cliente"), ("ENV", "Enviar técnico"), ("TRO", "Autorizar troca"),
        ("INF", "Informar o cliente"), ("ESC", "Escalar para o supervisor"),
    ),
    "motivo_encerramento": (
        ("RES", "Resolvido no primeiro contato"), ("SOL", "Solução enviada"),
        ("SEM", "Cliente sem interesse"), ("TRA", "Transferido para outro setor"),
    ),
    "motivo_cancelamento": (
        ("DUP", "Atendimento duplicado"), ("ERR", "Registrado por engano"),
        ("DES", "Cliente desistiu"),
    ),
    "midia": (
        ("0800", "Telefone 0800"), ("WPP", "WhatsApp"), ("EML", "E-mail"),
        ("SITE", "Site"), ("LOJA", "Loja física"),
    ),
}  # fmt: skip


def _seed_catalogues(tx: Tx) -> None:
    def add(catalogue: str, code: str, description: str, **extra: object) -> None:
        columns = ["catalogue", "code", "description", *extra]
        tx.execute(
            f"INSERT INTO catalogue_items ({', '.join(columns)})"
            f" VALUES ({', '.join('?' for _ in columns)})",
            [catalogue, code, description, *extra.values()],
        )

    for code, subject, description in DEMO_OCCURRENCES:
        add("ocorrencia", code, description, routine="telemarketing", subject=subject)
    add("ocorrencia", "OLD01", "Recall 2024 (encerrado)", routine="telemarketing",
        subject="Reclamação", active=False)  # fmt: skip
    for catalogue, entries in DEMO_SIMPLE_CATALOGUES.items():
        for code, description in entries:
            add(catalogue, code, description)
    today = tx.now.date()
    add("campanha", "BF", "Black Friday", starts_on=today - timedelta(days=20),
        ends_on=today + timedelta(days=10))  # fmt: skip
    add("campanha", "POS", "Pesquisa pós-venda", starts_on=today - timedelta(days=90),
        ends_on=today + timedelta(days=90))  # fmt: skip
    add("campanha", "VER", "Verão passado", starts_on=today - timedelta(days=300),
        ends_on=today - timedelta(days=200))  # fmt: skip
