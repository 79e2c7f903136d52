//! The service operator's commands (`kouka tenant …`). They manage contracts only: nothing
//! here prints a tenant's people or evaluation data (WP 16), and the operator has no web
//! login into tenants.

use clap::{Args, Subcommand};
use kouka_app::backend::db::Db;
use kouka_app::backend::tenants::{
    self, NewTenantInput, SetupNotice, TenantContract, TenantError, parse_new_tenant,
};
use kouka_app::domain::tenant::CompanyCode;
use kouka_app::domain::time::Timestamp;
use std::fmt::Write;

#[derive(Subcommand)]
pub enum TenantCommand {
    /// Create a tenant and its first system admin; prints the setup notice (書面通知).
    Create(CreateTenant),
    /// List every tenant's contract data.
    List,
    /// Show one tenant's contract data.
    Show {
        /// The company code (企業コード).
        code: String,
    },
}

#[derive(Args)]
pub struct CreateTenant {
    /// Company code (企業コード) typed at login: 2-32 letters, digits, - or _.
    #[arg(long)]
    code: String,
    /// Company name.
    #[arg(long)]
    name: String,
    /// Seat limit of the contract.
    #[arg(long)]
    seats: i64,
    /// E-mail of the first system admin.
    #[arg(long)]
    admin_email: String,
    /// Name of the first system admin.
    #[arg(long)]
    admin_name: String,
    /// Contract start, YYYY-MM-DD (default: today).
    #[arg(long)]
    contract_start: Option<String>,
    /// Contract end, YYYY-MM-DD.
    #[arg(long)]
    contract_end: Option<String>,
    /// Time zone of the tenant.
    #[arg(long, default_value = "Asia/Tokyo")]
    timezone: String,
    /// Contact address of the organization admin, for incident notices (組織管理者メールアドレス).
    #[arg(long)]
    contact_email: Option<String>,
}

/// Runs a tenant command; the text to print on success, the message to print on failure.
pub async fn run(db: &Db, base_url: &str, command: TenantCommand) -> Result<String, String> {
    match command {
        TenantCommand::Create(args) => {
            let today = Timestamp::now().date_in_zone(&args.timezone);
            let input = NewTenantInput {
                code: args.code,
                name: args.name,
                seats: args.seats,
                admin_email: args.admin_email,
                admin_name: args.admin_name,
                contract_start: args.contract_start,
                contract_end: args.contract_end,
                time_zone: args.timezone,
                contact_email: args.contact_email,
            };
            let new = parse_new_tenant(input, today).map_err(|problems| problems.join("\n"))?;
            match tenants::create_tenant(db, base_url, new).await {
                Ok(notice) => Ok(format_setup_notice(&notice)),
                Err(TenantError::Db(error)) => Err(format!("database error: {error}")),
                Err(error) => Err(error.to_string()),
            }
        }
        TenantCommand::List => {
            let all = tenants::list_tenants(db).await.map_err(|e| e.to_string())?;
            if all.is_empty() {
                return Ok("テナントはまだありません / No tenants yet\n".into());
            }
            let mut out = String::from("code\tname\tseats\tcontract_start\tcontract_end\n");
            for tenant in all {
                let _ = writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{}",
                    tenant.code,
                    tenant.name,
                    tenant.seat_limit,
                    tenant.contract_start,
                    tenant.contract_end.map_or("-".into(), |end| end.iso())
                );
            }
            Ok(out)
        }
        TenantCommand::Show { code } => {
            let unknown = || {
                format!(
                    "企業コード {code} のテナントはありません / No tenant with company code {code}"
                )
            };
            let parsed = CompanyCode::parse(&code).map_err(|_| unknown())?;
            let tenant = tenants::find_by_code(db, &parsed)
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(unknown)?;
            let seats = tenants::seats_in_use(db, &tenant.id)
                .await
                .map_err(|e| e.to_string())?;
            Ok(format_contract(&tenant, seats))
        }
    }
}

fn format_setup_notice(notice: &SetupNotice) -> String {
    format!(
        "考課 Kouka セットアップのご案内 / Setup notice\n\
         ==============================================\n\
         企業名 / Company:              {name}\n\
         企業コード / Company code:     {code}\n\
         管理者 / System admin:         {admin} <{email}>\n\
         セットアップURL / Setup URL:   {url}\n\
         セットアップコード / Setup code: {setup_code}\n\
         有効期限 / Valid until:        {expires}\n\
         \n\
         このURLを開き、管理者ご自身でパスワードを設定してください。URLは一度だけ有効です。\n\
         Open the URL and choose the admin's own password. The link works once.\n",
        name = notice.name,
        code = notice.code,
        admin = notice.admin_name,
        email = notice.admin_email,
        url = notice.setup_url,
        setup_code = notice.setup_code,
        expires = notice.expires_at.format_in_zone(&notice.time_zone),
    )
}

fn format_contract(tenant: &TenantContract, seats_in_use: i64) -> String {
    format!(
        "code:            {}\n\
         name:            {}\n\
         seats:           {} in use / {} contracted\n\
         contract_start:  {}\n\
         contract_end:    {}\n\
         time_zone:       {}\n\
         contact_email:   {}\n\
         created_at:      {}\n",
        tenant.code,
        tenant.name,
        seats_in_use,
        tenant.seat_limit,
        tenant.contract_start,
        tenant.contract_end.map_or("-".into(), |end| end.iso()),
        tenant.time_zone,
        tenant
            .contact_email
            .as_ref()
            .map_or("-", |email| email.as_str()),
        tenant.created_at.format_in_zone(&tenant.time_zone),
    )
}

/// `kouka demo`: a demo company to look around in.
#[derive(Args)]
pub struct DemoArgs {
    /// The demo's company code (企業コード); refused when a tenant has it.
    #[arg(long, default_value = "DEMO")]
    code: String,
    /// How many employees (departments: about one in eight, at least four).
    #[arg(long, default_value_t = 200)]
    employees: usize,
    /// Print one JSON object (`company_code`, `accounts`: `role`, `email`, `password`).
    #[arg(long)]
    json: bool,
}

impl DemoArgs {
    pub fn new(code: &str, employees: usize, json: bool) -> DemoArgs {
        DemoArgs {
            code: code.to_owned(),
            employees,
            json,
        }
    }
}

/// Creates the demo company; the sign-in details to print, or why not.
pub async fn run_demo(db: &Db, base_url: &str, args: DemoArgs) -> Result<String, String> {
    use kouka_app::backend::demo::{DemoSize, create_demo};
    let size = if args.employees == DemoSize::DEMO.employees {
        DemoSize::DEMO
    } else {
        DemoSize {
            employees: args.employees,
            departments: (args.employees / 8).max(4),
            period: true,
        }
    };
    let demo = create_demo(db, base_url, &args.code, size, 2026)
        .await
        .map_err(|error| error.to_string())?;
    if args.json {
        return Ok(format!(
            "{}\n",
            serde_json::to_string(&demo).map_err(|e| e.to_string())?
        ));
    }
    let mut out = format!(
        "デモ企業を作成しました / Demo company created: {} ({} employees, {} departments)\n\
         {base_url}/login — 企業コード / company code: {}\n",
        demo.company_code, demo.employees, demo.departments, demo.company_code
    );
    for account in &demo.accounts {
        let _ = writeln!(
            out,
            "  {:<16} {:<32} {}",
            account.role, account.email, account.password
        );
    }
    out.push_str("このパスワードはデモ専用です / These passwords are for the demo only.\n");
    Ok(out)
}
