"""Campanhas: outbound campaigns (ativo) with their groups, retry rules and call lists (from a
file or a filter), and how far each one got."""

import streamlit as st

from core import call_lists, campaigns, dashboards
from core.access import Routine
from ui.campaigns.admin import campaign_form, filter_section, import_section
from ui.guard import enter_page
from ui.kit.feedback import attempt, succeeded
from ui.kit.formats import local_date, local_datetime, plain
from ui.kit.forms import editing_version, form_key, reset_form, selected_index

user, db = enter_page(__file__)

listing = attempt(lambda: campaigns.list_campaigns(db, user))
groups = attempt(lambda: dashboards.group_choices(db, user))
scripts = attempt(lambda: campaigns.script_choices(db, user)) or {}
if listing is None or groups is None:
    st.stop()

consult, include = st.tabs(["Consultar", "Incluir"])

with consult:
    if listing.is_empty():
        st.info("Nenhuma campanha ainda: crie a primeira na aba Incluir.", icon="📣")
    table = st.dataframe(
        [
            {
                "Campanha": r["name"],
                "Rotina": Routine(r["routine"]).label,
                "Período": f"{local_date(r['starts_on'])} a {local_date(r['ends_on'])}",
                "Grupos": r["group_names"] or "",
                "Contatos": r["entries"],
                "A ligar": r["open_entries"],
                "Concluídos": r["done"],
                "Esgotados": r["exhausted"],
                "Ativa": r["active"],
            }
            for r in listing.iter_rows(named=True)
        ],
        key="campaigns_table",
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
    )
    index = selected_index(table)
    if index is not None:
        row = listing.row(index, named=True)
        st.subheader(plain(row["name"]))
        edit, lists, new_file, new_filter = st.tabs(
            ["Alterar", "Listas", "Importar lista", "Lista por filtro"]
        )
        with edit:
            version = editing_version("campaign_editing", row["id"], row["version"])
            changed = campaign_form(f"campaign_edit_{row['id']}_{version}", groups, scripts, row)
            if changed is not None and succeeded(
                lambda: campaigns.update_campaign(db, user, row["id"], version, changed),
                "Campanha alterada.",
            ):
                st.rerun()
        with lists:
            found = attempt(lambda: call_lists.lists_of(db, user, row["id"])) or []
            if not found:
                st.caption("Nenhuma lista ainda: importe um arquivo ou crie por filtro.")
            st.dataframe(
                [
                    {
                        "Lista": r["name"],
                        "Origem": r["source"],
                        "Contatos": r["entries"],
                        "Finalizados": r["finished"],
                        "Criada em": local_datetime(r["created_at"]),
                        "Por": r["user_name"],
                    }
                    for r in found
                ],
                key="campaign_lists",
                hide_index=True,
            )
        with new_file:
            import_section(db, user, row["id"])
        with new_filter:
            filter_section(db, user, row["id"])
    elif not listing.is_empty():
        st.caption(f"{listing.height} campanha(s). Selecione uma para alterá-la e ver as listas.")

with include:
    new = campaign_form(form_key("campaign_new"), groups, scripts)
    if new is not None and succeeded(
        lambda: campaigns.create_campaign(db, user, new), "Campanha incluída."
    ):
        reset_form("campaign_new")
        st.rerun()
