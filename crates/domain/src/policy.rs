//! Who may do what. The web layer asks these questions; it never decides on its own.

use crate::{Role, TenantCode};

/// A signed-in user as the policies see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: i64,
    pub role: Role,
    /// `None` only for operators.
    pub tenant: Option<TenantCode>,
    /// Departments the user is a member of (department staff).
    pub departments: Vec<i64>,
}

impl Actor {
    fn belongs_to(&self, tenant: TenantCode) -> bool {
        self.tenant == Some(tenant)
    }

    fn is_operator(&self) -> bool {
        self.role == Role::Operator
    }

    /// The staff area of a local government: its admin, desk and department staff, and operators.
    pub fn may_enter_staff_area(&self, tenant: TenantCode) -> bool {
        self.is_operator() || (self.role.is_staff() && self.belongs_to(tenant))
    }

    /// The desk's workspace: desk staff and admins of that local government; operators.
    pub fn may_work_desk(&self, tenant: TenantCode) -> bool {
        self.is_operator()
            || (matches!(self.role, Role::Desk | Role::Admin) && self.belongs_to(tenant))
    }

    /// The department workspace: department staff of that local government.
    pub fn may_enter_department_area(&self, tenant: TenantCode) -> bool {
        self.role == Role::Department && self.belongs_to(tenant)
    }

    /// Proposals under consideration are confidential: the desk of that local government
    /// handles them (not its administrators, not operators).
    pub fn may_handle_proposals(&self, tenant: TenantCode) -> bool {
        self.role == Role::Desk && self.belongs_to(tenant)
    }

    /// Department staff read a proposal only when it was routed to one of their departments.
    pub fn may_read_routed_proposal(&self, tenant: TenantCode, routed_to: &[i64]) -> bool {
        self.role == Role::Department
            && self.belongs_to(tenant)
            && routed_to.iter().any(|d| self.departments.contains(d))
    }

    /// Answer a routing request addressed to `department`.
    pub fn may_answer_routing(&self, tenant: TenantCode, department: i64) -> bool {
        self.may_read_routed_proposal(tenant, &[department])
    }

    /// Ask the desk a question about a routing addressed to `department` (照会): the same
    /// people who may answer it.
    pub fn may_ask_desk(&self, tenant: TenantCode, department: i64) -> bool {
        self.may_answer_routing(tenant, department)
    }

    /// Manage the desk's templates (定型文): whoever works at the desk — its officers, who
    /// write to proponents every day, and its admin — and operators, as for the desk's
    /// workspace. Templates hold no proposal content.
    pub fn may_manage_templates(&self, tenant: TenantCode) -> bool {
        self.may_work_desk(tenant)
    }

    /// Read a local government's partnerships (連携事業) with their internal records
    /// (documents, fiscal burden, reviews, unmoderated feedback): its staff — desk, admin and
    /// department staff — and operators. Partnerships are not confidential the way proposals
    /// under consideration are; the public sees only published ones.
    pub fn may_read_partnerships(&self, tenant: TenantCode) -> bool {
        self.may_enter_staff_area(tenant)
    }

    /// Create a partnership: the desk creates any form; department staff create 事業連携協定
    /// and 個別の連携事業 led by one of their own departments (`department`); a 包括連携協定
    /// is led by the desk.
    pub fn may_create_partnership(
        &self,
        tenant: TenantCode,
        form: crate::partnership::Form,
        department: Option<i64>,
    ) -> bool {
        self.may_handle_proposals(tenant)
            || (form.needs_department()
                && self.role == Role::Department
                && self.belongs_to(tenant)
                && department.is_some_and(|d| self.departments.contains(&d)))
    }

    /// Keep a partnership up to date (activities, indicators, documents, reviews, status,
    /// corrections): the desk, and the members of its responsible department (所管課).
    pub fn may_manage_partnership(&self, tenant: TenantCode, department: Option<i64>) -> bool {
        self.may_handle_proposals(tenant)
            || (self.role == Role::Department
                && self.belongs_to(tenant)
                && department.is_some_and(|d| self.departments.contains(&d)))
    }

    /// Moderate beneficiaries' voice (受益者の声) and set the dormancy period: the desk.
    pub fn may_moderate_feedback(&self, tenant: TenantCode) -> bool {
        self.may_handle_proposals(tenant)
    }

    /// Read the department list (staff of that local government; operators).
    pub fn may_list_departments(&self, tenant: TenantCode) -> bool {
        self.may_enter_staff_area(tenant)
    }

    /// Create, rename and remove departments and their members.
    pub fn may_manage_departments(&self, tenant: TenantCode) -> bool {
        self.is_operator() || (self.role == Role::Admin && self.belongs_to(tenant))
    }

    /// Open or close the desk for proposals and set its rules: the local government's admin
    /// (and operators, who set tenants up).
    pub fn may_open_desk(&self, tenant: TenantCode) -> bool {
        self.may_manage_departments(tenant)
    }

    /// See and manage the accounts of a local government.
    pub fn may_manage_users(&self, tenant: TenantCode) -> bool {
        self.may_manage_departments(tenant)
    }

    /// Read the audit trail of a local government.
    pub fn may_read_audit(&self, tenant: TenantCode) -> bool {
        self.may_manage_departments(tenant)
    }

    /// The proponent's own page in a local government.
    pub fn may_enter_proponent_area(&self, tenant: TenantCode) -> bool {
        self.role == Role::Proponent && self.belongs_to(tenant)
    }

    /// The operator's console: all local governments.
    pub fn may_operate(&self) -> bool {
        self.is_operator()
    }

    /// Draft, edit and submit an open call of `department` (行政課題): that department's
    /// members, and the desk (which drafts calls too).
    pub fn may_draft_call(&self, tenant: TenantCode, department: i64) -> bool {
        self.may_handle_proposals(tenant)
            || (self.role == Role::Department
                && self.belongs_to(tenant)
                && self.departments.contains(&department))
    }

    /// Approve, publish, return, close, assign evaluators and select: the desk.
    pub fn may_run_calls(&self, tenant: TenantCode) -> bool {
        self.may_handle_proposals(tenant)
    }

    /// Evaluate the answers of a call: staff of the tenant (desk or department) assigned to it.
    pub fn may_evaluate_call(&self, tenant: TenantCode, evaluators: &[i64]) -> bool {
        matches!(self.role, Role::Desk | Role::Department)
            && self.belongs_to(tenant)
            && evaluators.contains(&self.user_id)
    }

    /// Read a call's answers (confidential proposals): the desk, the call's department
    /// members and its assigned evaluators.
    pub fn may_read_call_answers(
        &self,
        tenant: TenantCode,
        department: i64,
        evaluators: &[i64],
    ) -> bool {
        self.may_handle_proposals(tenant)
            || (self.role == Role::Department
                && self.belongs_to(tenant)
                && self.departments.contains(&department))
            || self.may_evaluate_call(tenant, evaluators)
    }

    /// Score one answer: an assigned evaluator, while the call is closed and not decided, on
    /// an answer they have declared no conflict of interest on.
    pub fn may_score_answer(
        &self,
        tenant: TenantCode,
        evaluators: &[i64],
        status: crate::open_call::CallStatus,
        conflicted: bool,
    ) -> bool {
        self.may_evaluate_call(tenant, evaluators)
            && status == crate::open_call::CallStatus::Closed
            && !conflicted
    }

    /// Where a user lands after signing in.
    pub fn home_path(&self) -> String {
        match (self.role, self.tenant) {
            (Role::Admin, Some(t)) => format!("/t/{t}/admin"),
            (Role::Desk, Some(t)) => format!("/t/{t}/desk"),
            (Role::Department, Some(t)) => format!("/t/{t}/department"),
            (Role::Proponent, Some(t)) => format!("/t/{t}/mypage"),
            _ => "/operator".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> TenantCode {
        TenantCode::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn actor(role: Role, tenant: Option<&str>) -> Actor {
        Actor {
            user_id: 1,
            role,
            tenant: tenant.map(code),
            departments: vec![],
        }
    }

    #[test]
    fn staff_stay_in_their_tenant() {
        let kishiwada = code("272027");
        let osaka = code("270008");
        for role in [Role::Admin, Role::Desk, Role::Department] {
            let a = actor(role, Some("272027"));
            assert!(a.may_enter_staff_area(kishiwada), "{role}");
            assert!(!a.may_enter_staff_area(osaka), "{role}");
            assert!(!a.may_operate());
        }
        let p = actor(Role::Proponent, Some("272027"));
        assert!(!p.may_enter_staff_area(kishiwada));
        assert!(p.may_enter_proponent_area(kishiwada));
        assert!(!p.may_enter_proponent_area(osaka));
    }

    #[test]
    fn only_admins_and_operators_manage_departments() {
        let kishiwada = code("272027");
        assert!(actor(Role::Admin, Some("272027")).may_manage_departments(kishiwada));
        assert!(actor(Role::Operator, None).may_manage_departments(kishiwada));
        assert!(!actor(Role::Desk, Some("272027")).may_manage_departments(kishiwada));
        assert!(!actor(Role::Department, Some("272027")).may_manage_departments(kishiwada));
        assert!(!actor(Role::Admin, Some("270008")).may_manage_departments(kishiwada));
    }

    #[test]
    fn partnerships_are_kept_by_the_desk_and_the_responsible_department() {
        use crate::partnership::Form;
        let kishiwada = code("272027");
        let desk = actor(Role::Desk, Some("272027"));
        let mut dept = actor(Role::Department, Some("272027"));
        dept.departments = vec![7];
        let admin = actor(Role::Admin, Some("272027"));
        let proponent = actor(Role::Proponent, Some("272027"));
        let elsewhere = actor(Role::Desk, Some("270008"));
        assert!(desk.may_create_partnership(kishiwada, Form::Comprehensive, None));
        assert!(dept.may_create_partnership(kishiwada, Form::Business, Some(7)));
        assert!(!dept.may_create_partnership(kishiwada, Form::Business, Some(8)));
        assert!(!dept.may_create_partnership(kishiwada, Form::Comprehensive, Some(7)));
        assert!(!admin.may_create_partnership(kishiwada, Form::Project, Some(7)));
        assert!(!elsewhere.may_create_partnership(kishiwada, Form::Project, None));
        assert!(desk.may_manage_partnership(kishiwada, Some(8)));
        assert!(dept.may_manage_partnership(kishiwada, Some(7)));
        assert!(!dept.may_manage_partnership(kishiwada, Some(8)));
        assert!(!dept.may_manage_partnership(kishiwada, None));
        assert!(!elsewhere.may_manage_partnership(kishiwada, None));
        for a in [&desk, &dept, &admin] {
            assert!(a.may_read_partnerships(kishiwada));
        }
        assert!(!proponent.may_read_partnerships(kishiwada));
        assert!(!elsewhere.may_read_partnerships(kishiwada));
        assert!(desk.may_moderate_feedback(kishiwada));
        assert!(!dept.may_moderate_feedback(kishiwada));
    }

    #[test]
    fn desk_and_department_areas() {
        let kishiwada = code("272027");
        assert!(actor(Role::Desk, Some("272027")).may_work_desk(kishiwada));
        assert!(actor(Role::Admin, Some("272027")).may_work_desk(kishiwada));
        assert!(!actor(Role::Department, Some("272027")).may_work_desk(kishiwada));
        assert!(!actor(Role::Proponent, Some("272027")).may_work_desk(kishiwada));
        assert!(!actor(Role::Desk, Some("141305")).may_work_desk(kishiwada));
        assert!(actor(Role::Department, Some("272027")).may_enter_department_area(kishiwada));
        assert!(!actor(Role::Desk, Some("272027")).may_enter_department_area(kishiwada));
    }

    #[test]
    fn proposals_are_for_the_desk_and_routed_departments_only() {
        let kishiwada = code("272027");
        assert!(actor(Role::Desk, Some("272027")).may_handle_proposals(kishiwada));
        for role in [Role::Admin, Role::Department, Role::Proponent] {
            assert!(
                !actor(role, Some("272027")).may_handle_proposals(kishiwada),
                "{role}"
            );
        }
        assert!(!actor(Role::Operator, None).may_handle_proposals(kishiwada));
        assert!(!actor(Role::Desk, Some("141305")).may_handle_proposals(kishiwada));
        let mut staff = actor(Role::Department, Some("272027"));
        staff.departments = vec![3, 4];
        assert!(staff.may_read_routed_proposal(kishiwada, &[1, 4]));
        assert!(!staff.may_read_routed_proposal(kishiwada, &[1, 2]));
        assert!(!staff.may_read_routed_proposal(kishiwada, &[]));
        assert!(staff.may_answer_routing(kishiwada, 3));
        assert!(!staff.may_answer_routing(kishiwada, 5));
        let mut elsewhere = actor(Role::Department, Some("141305"));
        elsewhere.departments = vec![3];
        assert!(!elsewhere.may_read_routed_proposal(kishiwada, &[3]));
    }

    #[test]
    fn templates_are_the_desks_questions_the_departments() {
        let kishiwada = code("272027");
        assert!(actor(Role::Desk, Some("272027")).may_manage_templates(kishiwada));
        assert!(actor(Role::Admin, Some("272027")).may_manage_templates(kishiwada));
        assert!(!actor(Role::Department, Some("272027")).may_manage_templates(kishiwada));
        assert!(!actor(Role::Proponent, Some("272027")).may_manage_templates(kishiwada));
        assert!(!actor(Role::Desk, Some("141305")).may_manage_templates(kishiwada));
        let mut staff = actor(Role::Department, Some("272027"));
        staff.departments = vec![3];
        assert!(staff.may_ask_desk(kishiwada, 3));
        assert!(!staff.may_ask_desk(kishiwada, 4));
        assert!(!actor(Role::Desk, Some("272027")).may_ask_desk(kishiwada, 3));
    }

    #[test]
    fn open_calls() {
        use crate::open_call::CallStatus;
        let kishiwada = code("272027");
        let mut dept = actor(Role::Department, Some("272027"));
        dept.departments = vec![3];
        dept.user_id = 7;
        assert!(dept.may_draft_call(kishiwada, 3));
        assert!(!dept.may_draft_call(kishiwada, 4));
        assert!(!dept.may_run_calls(kishiwada));
        assert!(actor(Role::Desk, Some("272027")).may_draft_call(kishiwada, 4));
        assert!(actor(Role::Desk, Some("272027")).may_run_calls(kishiwada));
        assert!(!actor(Role::Admin, Some("272027")).may_run_calls(kishiwada));
        assert!(dept.may_read_call_answers(kishiwada, 3, &[]));
        assert!(!dept.may_read_call_answers(kishiwada, 4, &[]));
        assert!(dept.may_read_call_answers(kishiwada, 4, &[7]));
        assert!(dept.may_score_answer(kishiwada, &[7], CallStatus::Closed, false));
        assert!(!dept.may_score_answer(kishiwada, &[7], CallStatus::Closed, true));
        assert!(!dept.may_score_answer(kishiwada, &[7], CallStatus::Published, false));
        assert!(!dept.may_score_answer(kishiwada, &[7], CallStatus::Decided, false));
        assert!(!dept.may_score_answer(kishiwada, &[8], CallStatus::Closed, false));
        let mut p = actor(Role::Proponent, Some("272027"));
        p.user_id = 7;
        assert!(!p.may_read_call_answers(kishiwada, 3, &[7]));
        let mut other = dept.clone();
        other.tenant = Some(code("141305"));
        assert!(!other.may_read_call_answers(kishiwada, 3, &[7]));
    }

    #[test]
    fn homes_per_role() {
        assert_eq!(actor(Role::Operator, None).home_path(), "/operator");
        assert_eq!(
            actor(Role::Desk, Some("272027")).home_path(),
            "/t/272027/desk"
        );
        assert_eq!(
            actor(Role::Proponent, Some("141305")).home_path(),
            "/t/141305/mypage"
        );
    }
}
