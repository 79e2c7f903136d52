//! The admin manual (`/manual/admin`): how the org chart is edited and the CSV formats,
//! the latter generated from the very column definitions the import uses.

use crate::components::page_title::PageTitle;
use crate::domain::org_csv::{Column, CsvKind};
use crate::i18n::{Lang, use_lang, use_texts};
use leptos::prelude::*;

#[component]
pub fn AdminManualPage() -> impl IntoView {
    let t = use_texts();
    view! {
        <PageTitle pick=|t| t.manual_title />
        <h1>{move || t().manual_title}</h1>
        <section class="card" aria-labelledby="manual-org">
            <h2 id="manual-org">{move || t().manual_org_title}</h2>
            <p>{move || t().manual_org_body}</p>
            <p>{move || t().org_keys_view}</p>
            <p>{move || t().org_keys_edit}</p>
        </section>
        <section class="card" id="csv" aria-labelledby="manual-csv">
            <h2 id="manual-csv">{move || t().manual_csv_title}</h2>
            <p>{move || t().manual_csv_body}</p>
            <p>{move || t().manual_csv_export_note}</p>
            {CsvKind::ALL.into_iter().map(|kind| view! { <ColumnTable kind /> }).collect_view()}
        </section>
    }
}

#[component]
fn ColumnTable(kind: CsvKind) -> impl IntoView {
    let t = use_texts();
    let lang = use_lang();
    let title = move || match kind {
        CsvKind::Departments => t().kind_departments,
        CsvKind::Employees => t().kind_employees,
    };
    let row = move |column: &'static Column| {
        view! {
            <tr>
                <th scope="row">{move || if lang.get() == Lang::Ja { column.ja } else { column.en }}</th>
                <td>{move || if lang.get() == Lang::Ja { column.en } else { column.ja }}</td>
                <td>{move || if column.required { t().manual_required } else { t().manual_optional }}</td>
                <td>{move || if lang.get() == Lang::Ja { column.help_ja } else { column.help_en }}</td>
                <td><code>{column.example}</code></td>
            </tr>
        }
    };
    view! {
        <h3 id=format!("csv-{}", kind.as_str())>{title}</h3>
        <p>
            <a href=format!("/api/org/template?kind={}", kind.as_str()) download="">
                {move || format!("{} {}", title(), t().templates_title)}
            </a>
        </p>
        <div class="table-wrap" tabindex="0" role="region" aria-label=move || t().table_region>
            <table class="table table--prose">
                <thead>
                    <tr>
                        <th scope="col">{move || t().manual_column}</th>
                        <th scope="col">{move || t().manual_column_other}</th>
                        <th scope="col">{move || t().manual_required}</th>
                        <th scope="col">{move || t().manual_description}</th>
                        <th scope="col">{move || t().manual_example}</th>
                    </tr>
                </thead>
                <tbody>{kind.columns().iter().map(row).collect_view()}</tbody>
            </table>
        </div>
    }
}
