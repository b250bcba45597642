"""Regras de cobrança [SK1/SK0/SK2] (admin): the cumulative overdue ranges, which ranges each
attendance group works and its negotiation limits; the collection parameters, read-only."""

import streamlit as st

from core.telecobranca import setup as tlc_setup
from ui.guard import enter_page
from ui.kit.feedback import attempt, succeeded
from ui.kit.formats import plain
from ui.kit.forms import CHOOSE, editing_version, form_key, reset_form, selected_index, signature
from ui.telecobranca import rules

user, db = enter_page(__file__)

ranges = attempt(lambda: tlc_setup.list_ranges(db, user))
groups = attempt(lambda: tlc_setup.group_settings(db, user))
if ranges is None or groups is None:
    st.stop()

range_tab, group_tab, parameter_tab = st.tabs(
    ["Faixas de atraso", "Grupos e negociação", "Parâmetros"]
)

with range_tab:
    if ranges.is_empty():
        st.info("Nenhuma faixa cadastrada: inclua a primeira abaixo.", icon="🗂️")
    else:
        # Keyed by the ranges' versions: after a change the rows may move, so drop the pick.
        table = st.dataframe(
            rules.ranges_frame(ranges),
            key=f"tlc_ranges_{signature(ranges.select('id', 'version').rows())}",
            hide_index=True,
            on_select="rerun",
            selection_mode="single-row",
            column_order=rules.RANGE_ORDER,
            column_config=rules.RANGE_COLUMNS,
        )
        st.caption(rules.CUMULATIVE_RULE + " Selecione uma faixa para alterar.")
        index = selected_index(table)
        if index is not None:
            row = ranges.row(index, named=True)
            with st.expander(f"Alterar faixa {plain(row['code'])}", expanded=True):
                version = editing_version("tlc_range_editing", row["id"], row["version"])
                changed = rules.range_form(f"tlc_range_edit_{row['id']}_{version}", row)
                if changed is not None and succeeded(
                    lambda: tlc_setup.save_range(db, user, changed, row["id"], version),
                    f"Faixa {plain(changed.code.strip().upper())} alterada.",
                ):
                    st.rerun()
    with st.expander("Incluir faixa", expanded=ranges.is_empty()):
        following = int(ranges["position"].max() or 0) + 1 if not ranges.is_empty() else 1
        new = rules.range_form(form_key("tlc_range_new"), position=following)
        if new is not None and succeeded(
            lambda: tlc_setup.save_range(db, user, new),
            f"Faixa {plain(new.code.strip().upper())} incluída.",
        ):
            reset_form("tlc_range_new")
            st.rerun()

with group_tab:
    if not groups:
        st.info("Nenhum grupo de atendimento ativo.", icon="👥")
    else:
        st.dataframe(rules.groups_frame(groups, ranges), key="tlc_groups_table", hide_index=True)
        by_id = {group.group_id: group for group in groups}
        group_id = st.selectbox(
            "Grupo",
            list(by_id),
            format_func=lambda g: by_id[g].group_name,
            key="tlc_rules_group",
            placeholder=CHOOSE,
        )
        group = by_id[group_id]
        version = editing_version("tlc_group_editing", group_id, group.version)
        chosen = rules.group_form(
            f"tlc_group_{group_id}_{version}", group, rules.range_labels(ranges)
        )
        if chosen is not None and succeeded(
            lambda: tlc_setup.save_group_settings(
                db, user, group_id, version, chosen[0], chosen[1]
            ),
            f"Regras do grupo {plain(group.group_name)} gravadas.",
        ):
            st.rerun()

with parameter_tab:
    rules.parameters_info(db)
