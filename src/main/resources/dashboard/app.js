/*
 * Greenlight dashboard: a page over the API (/api/v1), with the API token its user enters once (kept in this
 * browser tab's session storage, sent as a bearer token, never in a URL). Views are chosen by the URL's fragment:
 * #/environments, #/deployments, #/deployments/{id}, #/metrics, #/audit. Everything the API says is shown as text.
 */
(function () {
  "use strict";
  const TOKEN_KEY = "greenlight.token";
  const TERMINAL = ["succeeded", "failed", "rolled_back", "rollback_failed", "cancelled"];
  const STATUSES = ["queued", "awaiting_approval", "running", "awaiting_promotion", "rolling_back", ...TERMINAL];
  const view = document.getElementById("view");
  const flash = document.getElementById("flash");
  let refresh = null; // the current view's live update, cleared on navigation
  let generation = 0; // renders of an older navigation drop their results
  let shown = null; // what the current view last drew: a live update that brings nothing new redraws nothing

  // ---- DOM ------------------------------------------------------------------------------------------------------
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? "" : String(v));
    }
    el.append(...nodes(children));
    return el;
  }

  /** Nodes of nested lists of nodes and text, leaving out null, undefined and false (absent parts). */
  function nodes(items) {
    return items.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false)
      .map((c) => (c instanceof Node ? c : document.createTextNode(String(c))));
  }

  function render(...items) {
    view.replaceChildren(...nodes(items));
  }

  function badge(status) {
    return h("span", { class: `badge s-${status || "none"}`, "data-status": status || "none" }, (status || "none").replace(/_/g, " "));
  }

  function when(iso) {
    if (!iso) return "–";
    const d = new Date(iso);
    return h("time", { datetime: iso, title: iso }, d.toLocaleString());
  }

  function seconds(s) {
    if (s === null || s === undefined) return "–";
    if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
    if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
    return `${(s / 3600).toFixed(1)} h`;
  }

  function durationOf(a, b) {
    if (!a) return null;
    return ((b ? Date.parse(b) : Date.now()) - Date.parse(a)) / 1000;
  }

  function percent(x) {
    return x === null || x === undefined ? "–" : `${(x * 100).toFixed(1)} %`;
  }

  function show(message, ok) {
    flash.textContent = message;
    flash.classList.toggle("ok", !!ok);
    flash.hidden = false;
  }

  function clearFlash() {
    flash.hidden = true;
    flash.textContent = "";
  }

  // ---- API ------------------------------------------------------------------------------------------------------
  class ApiFailure extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  async function api(method, path, body, accept) {
    const headers = { Accept: accept || "application/json" };
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body),
        cache: "no-store", credentials: "omit" });
    } catch (e) {
      throw new ApiFailure(0, `Greenlight cannot be reached (${e.message})`);
    }
    const type = response.headers.get("Content-Type") || "";
    const payload = type.startsWith("application/json") ? await response.json().catch(() => null) : await response.text();
    if (!response.ok) {
      const message = payload && typeof payload === "object" && payload.error ? payload.error
        : `HTTP ${response.status}${typeof payload === "string" && payload ? ": " + payload : ""}`;
      if (response.status === 401) signOut(message);
      throw new ApiFailure(response.status, message);
    }
    return { status: response.status, body: payload };
  }

  // ---- session --------------------------------------------------------------------------------------------------
  function signedIn() {
    return !!sessionStorage.getItem(TOKEN_KEY);
  }

  function signOut(why) {
    sessionStorage.removeItem(TOKEN_KEY);
    renderSession();
    renderSignIn(why);
  }

  function renderSession() {
    const box = document.getElementById("session");
    box.replaceChildren();
    if (signedIn()) {
      box.append(h("span", {}, "Token entered"), h("button", { type: "button", id: "sign-out", onclick: () => signOut() }, "Forget token"));
    }
  }

  function renderSignIn(why) {
    stopRefresh();
    const input = h("input", { id: "token", name: "token", type: "password", autocomplete: "off", required: true,
      "aria-describedby": "token-help" });
    const error = h("p", { class: "error", id: "signin-error", role: "alert", hidden: !why }, why || "");
    const form = h("form", { class: "signin", id: "signin", onsubmit: async (e) => {
      e.preventDefault();
      sessionStorage.setItem(TOKEN_KEY, input.value.trim());
      try {
        await api("GET", "/api/v1/environments");
        route();
      } catch (failure) {
        // a 401 has already put this form back with the API's message; anything else is said here
        if (failure.status !== 401) {
          sessionStorage.removeItem(TOKEN_KEY);
          error.textContent = failure.message;
          error.hidden = false;
        }
      }
    } },
    h("h1", {}, "Sign in"),
    h("label", { for: "token" }, "API token"), input,
    h("p", { class: "muted", id: "token-help" }, "A token of greenlight.yaml's access rules. It stays in this tab (session storage) and is sent only to this Greenlight."),
    error,
    h("div", { class: "buttons" }, h("button", { type: "submit", class: "primary" }, "Sign in")));
    render(form);
    input.focus();
  }

  // ---- confirmation ---------------------------------------------------------------------------------------------
  /**
   * Asks before an action; `fields` are inputs shown in the dialog. Resolves with the fields' values once the action
   * succeeded; the API's refusal is shown in the dialog verbatim, which stays open.
   */
  function confirmAction(title, text, fields, action) {
    const dialog = document.getElementById("confirm");
    const form = document.getElementById("confirm-form");
    const error = document.getElementById("confirm-error");
    const yes = document.getElementById("confirm-yes");
    document.getElementById("confirm-title").textContent = title;
    document.getElementById("confirm-text").textContent = text;
    const box = document.getElementById("confirm-fields");
    box.replaceChildren(...fields.map((f) => f.element));
    error.hidden = true;
    return new Promise((resolve) => {
      const close = () => {
        form.onsubmit = null;
        document.getElementById("confirm-no").onclick = null;
        dialog.close();
      };
      document.getElementById("confirm-no").onclick = () => { close(); resolve(null); };
      form.onsubmit = async (e) => {
        e.preventDefault();
        yes.disabled = true;
        try {
          const values = Object.fromEntries(fields.map((f) => [f.name, f.value()]));
          const result = await action(values);
          close();
          resolve(result);
        } catch (failure) {
          error.textContent = failure.message;
          error.hidden = false;
        } finally {
          yes.disabled = false;
        }
      };
      dialog.showModal();
      (box.querySelector("input, textarea, select") || yes).focus();
    });
  }

  function textField(name, label, options) {
    const id = `field-${name}`;
    const input = h("input", { id, name, type: "text", required: options && options.required, value: options && options.value });
    return { name, element: h("div", {}, h("label", { for: id }, label), input), value: () => input.value.trim() };
  }

  function checkField(name, label) {
    const id = `field-${name}`;
    const input = h("input", { id, name, type: "checkbox" });
    return { name, element: h("div", {}, h("label", { for: id }, input, " ", label)), value: () => input.checked };
  }

  function reasonBody(values) {
    return values.reason ? { reason: values.reason } : {};
  }

  /** The buttons a deployment in its status offers; each asks first and then reloads the view. */
  function deploymentActions(d, blueGreen) {
    const post = (path, body) => api("POST", `/api/v1/deployments/${d.id}/${path}`, body);
    const act = (label, cls, title, text, path, extraFields, body) => h("button", { type: "button", class: cls,
      "data-action": path, onclick: async () => {
        const done = await confirmAction(title, text, [textField("reason", "Reason (kept in the audit trail)"), ...(extraFields || [])],
          (values) => post(path, body ? body(values) : reasonBody(values)));
        if (done) {
          show(`${label}: ${describeAnswer(done.body)}`, true);
          route();
        }
      } }, label);
    const buttons = [];
    const name = `deployment ${d.id} (${d.app}/${d.environment} ${d.version})`;
    if (d.status === "awaiting_approval") {
      buttons.push(act("Approve", "primary", "Approve this deployment?", `Approve ${name}: it is queued again and runs from its pre-checks.`, "approve"));
      buttons.push(act("Reject", "danger", "Reject this deployment?", `Reject ${name}: it ends cancelled.`, "reject"));
    }
    if (d.status === "awaiting_promotion") {
      buttons.push(act("Promote", "primary", "Promote this deployment?", `Promote ${name}: traffic switches to the idle colour.`, "promote"));
    }
    if (["queued", "awaiting_approval", "running", "awaiting_promotion"].includes(d.status)) {
      buttons.push(act("Cancel", "danger", "Cancel this deployment?", `Cancel ${name}. A running one stops after its current step and rolls back what it changed.`, "cancel"));
    }
    if (d.status === "succeeded") {
      const extra = blueGreen ? [checkField("restore", "Also restore the database from this deployment's backup")] : [];
      buttons.push(act("Roll back", "danger", "Roll back this deployment?", `Deploy again the version that was live before ${name}.`, "rollback", extra,
        (values) => Object.assign(reasonBody(values), values.restore ? { restore: true } : {})));
    }
    return buttons.length ? h("div", { class: "actions" }, buttons) : null;
  }

  function describeAnswer(body) {
    if (!body || typeof body !== "object") return "done";
    if (body.message) return body.message;
    if (body.id && body.status) return `deployment ${body.id} is ${body.status.replace(/_/g, " ")}`;
    if (body.deployments && body.deployments[0]) return `deployment ${body.deployments[0].id} queued`;
    return "done";
  }

  // ---- views ----------------------------------------------------------------------------------------------------
  function stopRefresh() {
    if (refresh) clearTimeout(refresh);
    refresh = null;
  }

  function every(ms, fn, gen) {
    stopRefresh();
    refresh = setTimeout(async () => {
      if (gen !== generation) return;
      try {
        await fn();
      } catch (failure) {
        show(failure.message);
      }
    }, ms);
  }

  /** True when `data` is what the view already shows (then it keeps its elements, focus and open details). */
  function unchanged(gen, data) {
    const key = gen + ":" + JSON.stringify(data);
    if (key === shown) return true;
    shown = key;
    return false;
  }

  function setTitle(text) {
    document.title = `${text} · Greenlight`;
  }

  async function environmentsView(gen) {
    setTitle("Environments");
    const { body } = await api("GET", "/api/v1/environments");
    if (gen !== generation) return;
    if (unchanged(gen, body)) return every(3000, () => environmentsView(gen), gen);
    const cards = body.environments.map((e) => {
      const running = e.running;
      const last = e.lastDeployment;
      const state = e.locked ? "locked" : running ? running.status : last ? last.status : "none";
      const deployButton = h("button", { type: "button", class: "primary", "data-action": "deploy", onclick: async () => {
        const done = await confirmAction(`Deploy to ${e.app}/${e.environment}`, "Queue a deployment of a version (trigger manual, by your token).",
          [textField("version", "Version", { required: true }), textField("reason", "Reason (kept in the audit trail)")],
          (values) => api("POST", "/api/v1/deployments", { app: e.app, environment: e.environment, version: values.version, reason: values.reason || undefined }));
        if (done) {
          show(`Queued: ${describeAnswer(done.body)}`, true);
          location.hash = `#/deployments/${done.body.id}`;
        }
      } }, "Deploy…");
      const unlock = e.locked ? h("button", { type: "button", class: "danger", "data-action": "unlock", onclick: async () => {
        const done = await confirmAction(`Unlock ${e.app}/${e.environment}?`, `A failed rollback (deployment ${e.lockedBy}) locked it. Unlock only after checking its hosts.`,
          [textField("reason", "Reason (kept in the audit trail)")],
          (values) => api("POST", `/api/v1/environments/${encodeURIComponent(e.app)}/${encodeURIComponent(e.environment)}/unlock`, reasonBody(values)));
        if (done) { show(`${e.app}/${e.environment} unlocked`, true); route(); }
      } }, "Unlock…") : null;
      return h("section", { class: "card", "data-environment": `${e.app}/${e.environment}`, "aria-labelledby": `env-${e.app}-${e.environment}` },
        h("h2", { id: `env-${e.app}-${e.environment}` }, `${e.app} / ${e.environment}`, badge(state)),
        h("dl", {},
          h("dt", {}, "Live version"), h("dd", { "data-field": "live-version" }, e.liveVersion || "none yet"),
          e.strategy === "blue-green" ? [h("dt", {}, "Live colour"), h("dd", {}, e.liveColor ? h("span", { class: `colour colour-${e.liveColor}` }, e.liveColor) : "none yet")] : null,
          h("dt", {}, "Strategy"), h("dd", {}, e.strategy),
          h("dt", {}, "Hosts"), h("dd", {}, e.hosts.join(", ")),
          h("dt", {}, "Running"), h("dd", {}, running ? h("a", { href: `#/deployments/${running.id}` }, `#${running.id} ${running.version} (${running.status.replace(/_/g, " ")})`) : "nothing"),
          h("dt", {}, "Queued"), h("dd", {}, String(e.queued)),
          h("dt", {}, "Lock"), h("dd", {}, e.locked ? h("span", { class: "error" }, `locked by failed rollback #${e.lockedBy}`)
            : e.leaseHolder ? `held by ${e.leaseHolder} until ${new Date(e.leaseExpiresAt).toLocaleTimeString()}` : "free"),
          h("dt", {}, "Last"), h("dd", {}, last ? [h("a", { href: `#/deployments/${last.id}` }, `#${last.id} ${last.version}`), " ", badge(last.status), " ", when(last.finishedAt)] : "none")),
        h("div", { class: "actions" }, deployButton, unlock,
          h("a", { class: "button", href: `#/deployments?app=${encodeURIComponent(e.app)}&environment=${encodeURIComponent(e.environment)}` }, "History")));
    });
    render(h("h1", {}, "Environments"),
      cards.length ? h("div", { class: "cards" }, cards) : h("p", {}, "This token may see no environment."),
      h("p", { class: "live" }, "Updates every 3 seconds."));
    every(3000, () => environmentsView(gen), gen);
  }

  async function deploymentsView(gen, params) {
    setTitle("Deployments");
    const query = new URLSearchParams();
    for (const k of ["app", "environment", "status", "before"]) if (params.get(k)) query.set(k, params.get(k));
    query.set("limit", params.get("limit") || "100");
    const [{ body }, envs] = await Promise.all([api("GET", `/api/v1/deployments?${query}`), api("GET", "/api/v1/environments")]);
    if (gen !== generation) return;
    const apps = [...new Set(envs.body.environments.map((e) => e.app))];
    const names = [...new Set(envs.body.environments.map((e) => e.environment))];
    const select = (name, label, values) => h("div", {}, h("label", { for: `filter-${name}` }, label),
      h("select", { id: `filter-${name}`, name }, h("option", { value: "" }, "all"),
        values.map((v) => h("option", { value: v, selected: params.get(name) === v }, v.replace(/_/g, " ")))));
    const filters = h("form", { class: "inline", id: "filters", onchange: (e) => {
      const form = e.currentTarget, next = new URLSearchParams();
      for (const k of ["app", "environment", "status"]) if (form.elements[k].value) next.set(k, form.elements[k].value);
      location.hash = `#/deployments${next.toString() ? "?" + next : ""}`;
    }, onsubmit: (e) => e.preventDefault() }, select("app", "App", apps), select("environment", "Environment", names), select("status", "Status", STATUSES));
    const rows = body.deployments.map((d) => h("tr", { "data-deployment": d.id },
      h("td", {}, h("a", { href: `#/deployments/${d.id}` }, `#${d.id}`)),
      h("td", {}, `${d.app}/${d.environment}`), h("td", {}, d.version), h("td", {}, badge(d.status)),
      h("td", {}, d.trigger), h("td", {}, d.triggeredBy), h("td", {}, when(d.createdAt)),
      h("td", { class: "num" }, seconds(durationOf(d.startedAt, d.finishedAt)))));
    // the API's paging: nextBefore when the page is full (older ones may follow); the filters and limit are kept
    const page = (before) => {
      const next = new URLSearchParams(params);
      if (before) next.set("before", before); else next.delete("before");
      return `#/deployments${next.toString() ? "?" + next : ""}`;
    };
    const older = params.get("before") ? `older than #${params.get("before")}, ` : "";
    const pages = h("p", { id: "pages" },
      params.get("before") ? h("a", { class: "button", id: "newest", href: page(null) }, "Newest") : null, " ",
      body.nextBefore ? h("a", { class: "button", id: "older", href: page(body.nextBefore) }, "Older") : null);
    render(h("h1", {}, "Deployments"), filters,
      h("table", { id: "deployments" }, h("caption", { class: "muted" }, `${rows.length} ${older}newest first`),
        h("thead", {}, h("tr", {}, ["Id", "App / environment", "Version", "Status", "Trigger", "By", "Created", "Duration"].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, rows)),
      pages,
      h("p", { class: "live" }, "Updates every 5 seconds."));
    every(5000, () => deploymentsView(gen, params), gen);
  }

  async function deploymentView(gen, id) {
    setTitle(`Deployment ${id}`);
    const { body: d } = await api("GET", `/api/v1/deployments/${encodeURIComponent(id)}`);
    if (gen !== generation) return;
    let incident = null;
    if (d.incidentUrl) {
      const report = await api("GET", `/api/v1/deployments/${encodeURIComponent(id)}/incident`, undefined, "text/markdown");
      incident = report.body;
    }
    if (gen !== generation) return;
    const live = !TERMINAL.includes(d.status);
    if (unchanged(gen, [d, incident])) return live ? every(1000, () => deploymentView(gen, id), gen) : undefined;
    const bg = d.blueGreen;
    const facts = h("dl", { class: "facts" },
      h("dt", {}, "Status"), h("dd", { id: "deployment-status" }, badge(d.status), d.detail ? [" ", d.detail] : null),
      h("dt", {}, "App / environment"), h("dd", {}, `${d.app} / ${d.environment} (${d.strategy})`),
      h("dt", {}, "Version"), h("dd", {}, d.version, d.previousVersion ? ` (previously ${d.previousVersion})` : ""),
      h("dt", {}, "Triggered"), h("dd", {}, `${d.trigger} by ${d.triggeredBy}`, d.reason ? `: ${d.reason}` : ""),
      d.commitSha ? [h("dt", {}, "Commit"), h("dd", {}, d.commitSha)] : null,
      d.rollbackOf ? [h("dt", {}, "Rolls back"), h("dd", {}, h("a", { href: `#/deployments/${d.rollbackOf}` }, `#${d.rollbackOf}`))] : null,
      h("dt", {}, "Created"), h("dd", {}, when(d.createdAt)),
      h("dt", {}, "Started / ended"), h("dd", {}, when(d.startedAt), " → ", when(d.finishedAt), ` (${seconds(durationOf(d.startedAt, d.finishedAt))})`),
      d.decisionDeadline ? [h("dt", {}, "Decide by"), h("dd", {}, when(d.decisionDeadline))] : null,
      d.approvedBy ? [h("dt", {}, "Approved"), h("dd", {}, `${d.approvedBy} `, when(d.approvedAt))] : null,
      d.promotedBy ? [h("dt", {}, "Promoted"), h("dd", {}, `${d.promotedBy} `, when(d.promotedAt))] : null,
      bg ? [h("dt", {}, "Colours"), h("dd", {}, `${bg.color || "–"} (previously ${bg.previousColor || "none"})`)] : null,
      bg && bg.backupName ? [h("dt", {}, "Backup"), h("dd", {}, bg.backupName)] : null,
      bg && bg.setAsideName ? [h("dt", {}, "Writes set aside in"), h("dd", {}, bg.setAsideName)] : null);
    const steps = d.steps || [];
    const table = h("table", { id: "steps" },
      h("thead", {}, h("tr", {}, ["Stage", "Host", "Attempt", "Status", "Started", "Duration", "Exit", "Output"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, steps.map((s) => h("tr", { "data-stage": s.stage },
        h("td", {}, s.stage), h("td", {}, s.host || "–"), h("td", { class: "num" }, String(s.attempt)), h("td", {}, badge(s.status)),
        h("td", {}, when(s.startedAt)), h("td", { class: "num" }, seconds(durationOf(s.startedAt, s.finishedAt))),
        h("td", { class: "num" }, s.exitCode === null || s.exitCode === undefined ? "–" : String(s.exitCode)),
        h("td", { class: "output" }, excerpt(s))))));
    render(
      h("p", {}, h("a", { href: `#/deployments?app=${encodeURIComponent(d.app)}&environment=${encodeURIComponent(d.environment)}` }, `← ${d.app}/${d.environment} deployments`)),
      h("h1", {}, `Deployment #${d.id}: ${d.app}/${d.environment} ${d.version}`),
      facts, deploymentActions(d, d.strategy === "blue-green"),
      h("h2", {}, "Timeline"),
      steps.length ? [h("div", { class: "legend", "aria-hidden": "true" }, h("span", { class: "l-succeeded" }, "succeeded"), h("span", { class: "l-failed" }, "failed"),
        h("span", { class: "l-running" }, "running"), h("span", { class: "l-other" }, "other")),
      h("div", { id: "timeline" }, window.GreenlightCharts.timeline(d, new Date()))] : h("p", { class: "muted" }, "No step has run yet."),
      h("h2", {}, "Steps"), table,
      incident ? [h("h2", { id: "incident-title" }, "Incident report"), h("pre", { id: "incident", "aria-labelledby": "incident-title" }, incident)] : null,
      live ? h("p", { class: "live" }, "Live: updates every second until it ends.") : null);
    if (live) every(1000, () => deploymentView(gen, id), gen);
  }

  function excerpt(step) {
    const text = [step.detail, step.output].filter(Boolean).join("\n");
    if (!text) return "–";
    if (text.length <= 160) return h("span", {}, text);
    return h("details", {}, h("summary", {}, text.slice(0, 120) + "…"), h("pre", {}, text));
  }

  async function metricsView(gen, params) {
    setTitle("Metrics");
    const days = Math.min(366, Math.max(1, parseInt(params.get("days") || "30", 10) || 30));
    const query = new URLSearchParams({ days: String(days) });
    for (const k of ["app", "environment"]) if (params.get(k)) query.set(k, params.get(k));
    const since = new Date(Date.now() - days * 86400000).toISOString();
    const list = new URLSearchParams({ limit: "500" });
    for (const k of ["app", "environment"]) if (params.get(k)) list.set(k, params.get(k));
    const [{ body: m }, { body: recent }] = await Promise.all([api("GET", `/api/v1/metrics?${query}`), api("GET", `/api/v1/deployments?${list}`)]);
    if (gen !== generation) return;
    const inWindow = recent.deployments.filter((d) => d.createdAt >= since);
    const deployTimes = inWindow.filter((d) => d.status === "succeeded" && d.finishedAt)
      .map((d) => ({ at: new Date(d.finishedAt), value: durationOf(d.createdAt, d.finishedAt), tip: `#${d.id} ${d.version}: ${seconds(durationOf(d.createdAt, d.finishedAt))}` }));
    const recoveries = [];
    for (const d of inWindow.filter((x) => x.status === "rolled_back").slice(0, 40)) {
      const { body: full } = await api("GET", `/api/v1/deployments/${d.id}`);
      const first = (full.steps || []).filter((s) => s.stage.startsWith("rollback") && s.startedAt)
        .map((s) => Date.parse(s.startedAt)).sort((a, b) => a - b)[0];
      if (first && full.finishedAt) {
        const value = (Date.parse(full.finishedAt) - first) / 1000;
        recoveries.push({ at: new Date(full.finishedAt), value, tip: `#${d.id} ${d.version}: ${seconds(value)}` });
      }
    }
    if (gen !== generation) return;
    const kpi = (label, value, id) => h("div", { class: "kpi", "data-kpi": id }, h("div", { class: "value" }, value), h("div", { class: "label" }, label));
    const c = m.deployments;
    const form = h("form", { class: "inline", id: "metrics-filters", onsubmit: (e) => {
      e.preventDefault();
      const f = e.currentTarget, next = new URLSearchParams({ days: f.elements.days.value });
      for (const k of ["app", "environment"]) if (f.elements[k].value.trim()) next.set(k, f.elements[k].value.trim());
      location.hash = `#/metrics?${next}`;
    } },
    h("div", {}, h("label", { for: "m-days" }, "Days"), h("input", { id: "m-days", name: "days", type: "number", min: 1, max: 366, value: days })),
    h("div", {}, h("label", { for: "m-app" }, "App"), h("input", { id: "m-app", name: "app", value: params.get("app") || "" })),
    h("div", {}, h("label", { for: "m-env" }, "Environment"), h("input", { id: "m-env", name: "environment", value: params.get("environment") || "" })),
    h("button", { type: "submit" }, "Show"));
    render(h("h1", {}, `Metrics, last ${days} days`), form,
      h("div", { class: "kpis" },
        kpi("deployments (finished)", `${c.total} (${c.finished})`, "total"),
        kpi("success rate", percent(m.successRate), "success-rate"),
        kpi("change failure rate", percent(m.changeFailureRate.rate), "change-failure-rate"),
        kpi("deployments per week", m.deploymentFrequency.perWeek.toFixed(1), "per-week"),
        kpi("time to deploy, mean / p90", `${seconds(m.timeToDeploy.meanSeconds)} / ${seconds(m.timeToDeploy.p90Seconds)}`, "time-to-deploy"),
        kpi("time to recover, mean", seconds(m.timeToRecovery.meanSeconds), "time-to-recovery"),
        kpi("rollbacks (automatic / manual)", `${m.rollbacks.automatic} / ${m.rollbacks.manual}`, "rollbacks"),
        kpi("lead time, mean", m.leadTime && m.leadTime.meanSeconds !== undefined ? seconds(m.leadTime.meanSeconds) : "–", "lead-time")),
      h("h2", {}, "Deployments per day"),
      h("div", { class: "legend", "aria-hidden": "true" }, h("span", { class: "l-succeeded" }, "succeeded"), h("span", { class: "l-failed" }, "other outcomes")),
      window.GreenlightCharts.dailyBars(m.deploymentFrequency.byDay, Math.min(days, 90), `Deployments per day over the last ${Math.min(days, 90)} days`),
      h("h2", {}, "Success rate per day"),
      window.GreenlightCharts.timeLine(m.deploymentFrequency.byDay.filter((b) => b.deployments > 0).map((b) => ({ at: new Date(b.date + "T12:00:00Z"), value: b.succeeded / b.deployments,
        tip: `${b.date}: ${b.succeeded} of ${b.deployments}` })), "Share of deployments that succeeded, per day", (v) => `${Math.round(v * 100)} %`),
      h("h2", {}, "Time to deploy (trigger to success)"),
      window.GreenlightCharts.timeLine(deployTimes, "Time to deploy of each succeeded deployment", seconds),
      h("p", { class: "muted" }, recent.deployments.length >= 500 ? "From the newest 500 deployments." : ""),
      h("h2", {}, "Time to recover (rollback begun to verified)"),
      window.GreenlightCharts.timeLine(recoveries, "Time to recover of each rolled-back deployment", seconds));
  }

  async function auditView(gen, params) {
    setTitle("Audit trail");
    const query = new URLSearchParams({ limit: params.get("limit") || "200" });
    for (const k of ["app", "environment"]) if (params.get(k)) query.set(k, params.get(k));
    const { body } = await api("GET", `/api/v1/audit?${query}`);
    if (gen !== generation) return;
    const download = h("button", { type: "button", id: "export-markdown", onclick: async () => {
      try {
        const doc = await api("GET", `/api/v1/audit?format=markdown&${query}`, undefined, "text/markdown");
        const url = URL.createObjectURL(new Blob([doc.body], { type: "text/markdown" }));
        const a = h("a", { href: url, download: "AUDIT_TRAIL.md" });
        document.body.appendChild(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(url), 10000);
      } catch (failure) {
        show(failure.message);
      }
    } }, "Export AUDIT_TRAIL.md");
    const rows = body.entries.map((e) => h("tr", {},
      h("td", {}, when(e.at)), h("td", {}, e.actor), h("td", {}, e.action), h("td", {}, e.outcome),
      h("td", {}, [e.app, e.environment].filter(Boolean).join("/") || "–"), h("td", {}, e.version || "–"),
      h("td", {}, e.deploymentId ? h("a", { href: `#/deployments/${e.deploymentId}` }, `#${e.deploymentId}`) : "–"),
      h("td", { class: "output" }, e.detail || "")));
    render(h("h1", {}, "Audit trail"), h("div", { class: "actions" }, download),
      h("table", { id: "audit" }, h("caption", { class: "muted" }, `${rows.length} newest entries`),
        h("thead", {}, h("tr", {}, ["When", "Who", "Action", "Outcome", "Environment", "Version", "Deployment", "Detail"].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, rows)));
  }

  // ---- routing --------------------------------------------------------------------------------------------------
  async function route() {
    const gen = ++generation;
    stopRefresh();
    renderSession();
    if (!signedIn()) {
      renderSignIn();
      return;
    }
    const hash = location.hash.replace(/^#/, "") || "/environments";
    const [path, queryString] = hash.split("?");
    const params = new URLSearchParams(queryString || "");
    const parts = path.split("/").filter(Boolean);
    document.querySelectorAll("[data-nav]").forEach((a) => {
      if (a.dataset.nav === parts[0]) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    });
    try {
      if (parts[0] === "deployments" && parts[1]) await deploymentView(gen, parts[1]);
      else if (parts[0] === "deployments") await deploymentsView(gen, params);
      else if (parts[0] === "metrics") await metricsView(gen, params);
      else if (parts[0] === "audit") await auditView(gen, params);
      else await environmentsView(gen);
    } catch (failure) {
      if (gen === generation && signedIn()) {
        render(h("h1", {}, "Could not load this page"), h("p", { class: "error", id: "load-error" }, failure.message));
      }
    }
  }

  window.addEventListener("hashchange", () => { clearFlash(); route().then(() => view.focus({ preventScroll: true })); });
  document.addEventListener("DOMContentLoaded", route);
})();
