"""Auditoria [Log de Auditoria]: the audit log with filters, pages of 50 and CSV export; the
hash chain's verification; and who may have seen a data subject's protected data in clear.
For the admin and users whose profile grants the audit right."""

import streamlit as st

from ui.guard import enter_page
from ui.lgpd.views import audit_log, integrity_check, subject_picker, subject_viewers

user, db = enter_page(__file__)

st.caption(
    "Logins, acessos negados, visualizações e exportações de dados protegidos, alterações de "
    "cadastros, acessos e do dicionário de dados. O log só recebe inclusões e cada registro é "
    "encadeado ao anterior por um hash."
)
audit_log(db, user)

st.divider()
st.subheader("Verificar integridade")
st.caption(
    "Recalcula o hash de cada registro em ordem e aponta o primeiro elo rompido, caso alguém "
    "tenha alterado ou apagado registros diretamente no arquivo do banco de dados."
)
integrity_check(db, user)

st.divider()
st.subheader("Quem pode ter visto os dados deste titular")
st.caption(
    "Usuários que viram os dados protegidos do titular sem máscara — quando e em qual tela. "
    "Visualizações mascaradas não aparecem aqui: consulte-as no log, filtrando pelo titular."
)
entity_id = subject_picker(db, user, "audit_subject")
if entity_id is not None:
    subject_viewers(db, user, entity_id)
