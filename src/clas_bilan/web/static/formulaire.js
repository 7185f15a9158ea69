// The browser form of clas-bilan: sends the answers to the local server, which checks
// them exactly like « clas-bilan validate » and saves them in the answers file.
"use strict";

(() => {
  const form = document.getElementById("formulaire");
  // Names the answers file this page was built for: a page left open never writes into
  // another file's form started later on the same address. The token is not in the page:
  // the browser holds it in a cookie the page's code cannot read.
  const pageId = document.querySelector('meta[name="fichier"]').content;
  const RELAUNCH =
    "le formulaire a été relancé. Rouvrez l'adresse affichée dans le terminal (elle se termine par « ?jeton=… ») : cette page reprendra l'enregistrement d'elle-même.";
  const RELAUNCHED = `Non enregistré : ${RELAUNCH}`;
  // Started by its icon (« Bilan CLAS ») or in a terminal: the page names no command.
  const START_AGAIN = "relancez-le (icône « Bilan CLAS », ou dans le terminal où vous l'aviez lancé)";
  const GONE = `le formulaire ne répond plus : ${START_AGAIN}.`;
  const saveState = document.getElementById("etat-enregistrement");
  const checkState = document.getElementById("etat-verification");
  const firstError = document.getElementById("premiere-erreur");
  const alertBox = document.getElementById("alerte");
  const result = document.getElementById("resultat");
  const emailButton = document.getElementById("courriel");

  const SAVE_DELAY = 1000;
  const CHECK_DELAY = 200;
  let edits = 0; // changes typed since the page opened
  let savedEdits = 0; // changes written to the file
  let conflict = false;
  let checkNumber = 0;
  let saveTimer = null;
  let checkTimer = null;
  let announcing = false;
  let refused = false; // the server no longer knows this page (relaunched, or another file)
  let checkFailed = false; // the last check found no server
  let lastCheck = null; // the last findings and summary received, shown again as fields are left

  // Findings shown only once the user is done with a field: a question left unanswered
  // (once the field has been left, or when the whole form is checked), a value's format
  // (once the field is left, never while it is being typed).
  const UNANSWERED = new Set(["question-unanswered", "mandatory-missing", "signature-missing"]);
  const FORMAT = new Set(["email-invalid", "wrong-type", "not-whole-number", "impossible-date", "negative-number", "number-too-big"]);
  const left = new Set(); // names of the fields the user has left
  const typing = new Set(); // names of the fields typed in and not left yet
  let showAll = false; // the user asked for the whole check, or to produce the bilan
  let checkedEdits = 0; // the edits the last check shown was made with
  let undoTimer = null;

  // Values ------------------------------------------------------------------------

  function values() {
    const found = {};
    for (const element of form.elements) {
      if (!element.name) continue;
      if (element.type === "radio") {
        if (!(element.name in found)) found[element.name] = "";
        if (element.checked) found[element.name] = element.value;
      } else {
        found[element.name] = element.value;
      }
    }
    return found;
  }

  function listLength(data, key) {
    const prefix = key + ".";
    let length = 0;
    for (const name of Object.keys(data)) {
      if (!name.startsWith(prefix)) continue;
      const index = name.slice(prefix.length).split(".")[0];
      if (/^\d+$/.test(index)) length = Math.max(length, Number(index) + 1);
    }
    return length;
  }

  function setValues(data) {
    // Lists first, outer before inner, so that every named input exists.
    for (const list of form.querySelectorAll(".liste")) {
      const rows = list.querySelector(":scope > ol");
      const wanted = listLength(data, list.dataset.key);
      while (rows.children.length > wanted) rows.lastElementChild.remove();
      while (rows.children.length < wanted) addRow(list, false);
      renumber();
    }
    for (const element of form.elements) {
      if (!element.name) continue;
      const value = data[element.name] ?? "";
      if (element.type === "radio") element.checked = element.value === value.toLowerCase();
      else element.value = value;
    }
    form.querySelectorAll("textarea").forEach(grow);
    showImage(data["signature.image"] ?? "", null);
  }

  // Lists: add, remove, reorder ------------------------------------------------------

  function renumber() {
    for (const item of form.querySelectorAll("li.element")) {
      const number = Array.prototype.indexOf.call(item.parentElement.children, item) + 1;
      const label = `${item.dataset.nom} ${number}`;
      item.querySelector(":scope > fieldset > legend").textContent = label;
      for (const button of item.querySelectorAll(":scope > fieldset > .actions-element > button")) {
        button.setAttribute("aria-label", `${button.textContent.replace(/^\W+/, "")} : ${label}`);
      }
      disableMoves(item);
    }
    for (const place of form.querySelectorAll("[data-pattern]")) {
      const indices = [];
      for (let item = place.closest("li.element"); item; item = item.parentElement.closest("li.element")) {
        indices.unshift(Array.prototype.indexOf.call(item.parentElement.children, item));
      }
      let next = 0;
      const name = place.dataset.pattern.replace(/#/g, () => String(indices[next++]));
      place.dataset.key = name;
      const findings = place.querySelector(":scope > .constats");
      if (findings) findings.id = `k-${name}`;
      if (place.classList.contains("champ")) {
        const input = place.querySelector("input, textarea");
        input.name = name;
        input.id = `c-${name}`;
        input.setAttribute("aria-describedby", `k-${name}`);
        place.querySelector("label").htmlFor = `c-${name}`;
      }
    }
  }

  function addRow(list, focus) {
    const row = list.querySelector(":scope > template").content.firstElementChild.cloneNode(true);
    list.querySelector(":scope > ol").append(row);
    liveFindings(row);
    renumber();
    if (focus) row.querySelector("input, textarea").focus();
    return row;
  }

  function rowAction(button) {
    const list = button.closest(".liste");
    if (button.dataset.action === "ajouter") {
      addRow(list, true);
      announce(`${list.querySelector("ol > li:last-child legend").textContent} ajouté(e).`);
      return;
    }
    const item = button.closest("li.element");
    const label = item.querySelector("legend").textContent;
    if (button.dataset.action === "monter" && item.previousElementSibling) {
      item.parentElement.insertBefore(item, item.previousElementSibling);
    } else if (button.dataset.action === "descendre" && item.nextElementSibling) {
      item.parentElement.insertBefore(item.nextElementSibling, item);
    } else if (button.dataset.action === "supprimer") {
      removeRow(item, list, label);
      return;
    } else {
      return;
    }
    renumber();
    const other = button.parentElement.querySelector(`[data-action="${button.dataset.action === "monter" ? "descendre" : "monter"}"]`);
    (button.disabled ? other : button).focus();
    announce(`${label} déplacé(e) : c'est maintenant ${item.querySelector("legend").textContent}.`);
    changed();
  }

  function announce(text) {
    result.textContent = text;
  }

  function disableMoves(item) {
    // « Monter » on the first row and « Descendre » on the last would do nothing.
    const actions = item.querySelector(":scope > fieldset > .actions-element");
    actions.querySelector('[data-action="monter"]').disabled = !item.previousElementSibling;
    actions.querySelector('[data-action="descendre"]').disabled = !item.nextElementSibling;
  }

  function removeRow(item, list, label) {
    const rows = item.parentElement;
    const after = item.nextElementSibling;
    const next = after || item.previousElementSibling;
    item.remove();
    renumber();
    (next ? next.querySelector("input, textarea") : list.querySelector(":scope > .ajouter")).focus();
    changed();
    offerUndo(`${label} supprimé(e).`, () => {
      rows.insertBefore(item, after && after.parentElement === rows ? after : null);
      renumber();
      item.querySelector("input, textarea").focus();
      changed();
    });
  }

  function offerUndo(text, undo) {
    // The row removed stays in memory for some seconds, with « Rétablir » to put it back.
    const box = document.getElementById("annulation");
    const button = document.getElementById("retablir");
    clearTimeout(undoTimer);
    document.getElementById("annulation-texte").textContent = text;
    button.onclick = () => {
      clearTimeout(undoTimer);
      box.hidden = true;
      undo();
    };
    box.hidden = false;
    const hide = () => {
      if (box.contains(document.activeElement)) undoTimer = setTimeout(hide, 5000);
      else box.hidden = true;
    };
    undoTimer = setTimeout(hide, 10000);
  }

  // Checks as you type ---------------------------------------------------------------

  async function post(path, body, keepalive = false) {
    const response = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Fichier": pageId },
      body: JSON.stringify(body),
      keepalive,
    });
    refused = response.status === 403;
    if (refused) {
      saveState.textContent = RELAUNCHED; // whatever was asked (save, check, produce)
      document.body.classList.add("non-enregistre");
      throw new Error(RELAUNCHED);
    }
    return response;
  }

  function place(key) {
    const parts = key ? key.split(".") : [];
    while (parts.length) {
      const found = form.querySelector(`[data-key="${CSS.escape(parts.join("."))}"]`);
      if (found) return found;
      parts.pop();
    }
    return null;
  }

  function findingElement(finding, withQuestion) {
    const error = finding.gravite === "erreur";
    const p = document.createElement("p");
    p.className = `constat ${error ? "erreur" : "avertissement"}`;
    const strong = document.createElement("strong");
    strong.textContent = error ? "Erreur : " : "Avertissement : ";
    p.append(strong);
    if (withQuestion && finding.question) p.append(`${finding.question} — `);
    p.append(finding.message + (finding.conseil ? ` ${finding.conseil}` : ""));
    return p;
  }

  function isLeft(key) {
    if (!key) return false;
    for (const name of left) {
      if (name === key || name.startsWith(`${key}.`) || key.startsWith(`${name}.`)) return true;
    }
    return false;
  }

  function shown(finding) {
    // Unanswered: once the field is left, or the whole form checked; a format: never while typed.
    if (UNANSWERED.has(finding.code)) return showAll || isLeft(finding.cle);
    if (FORMAT.has(finding.code)) return !typing.has(finding.cle);
    return true;
  }

  function showCheck() {
    if (!lastCheck) return;
    showFindings(lastCheck.constats.filter(shown));
    showSummary(lastCheck);
  }

  function fieldName(element) {
    return element.name || (element.type === "file" ? element.closest("[data-key]").dataset.key : "");
  }

  function checkAll() {
    // « Vérifier tout le formulaire »: every finding shown, the first one brought to the user.
    showAll = true;
    showCheck();
    const first = form.querySelector(".en-erreur") || form.querySelector(".constats:not(:empty)")?.parentElement;
    if (first) first.querySelector("input, textarea")?.focus();
    else if (!document.getElementById("autres").hidden) document.getElementById("autres").scrollIntoView({ block: "nearest" });
  }

  function showFindings(findings) {
    const boxes = new Map();
    const others = [];
    for (const finding of findings) {
      const where = place(finding.cle);
      const box = where && where.querySelector(":scope > .constats");
      if (!box) {
        others.push(finding);
        continue;
      }
      if (!boxes.has(box)) boxes.set(box, []);
      boxes.get(box).push(finding);
    }
    for (const box of form.querySelectorAll(".constats")) {
      const mine = boxes.get(box) || [];
      const errors = mine.filter((f) => f.gravite === "erreur");
      const warnings = mine.filter((f) => f.gravite !== "erreur");
      const text = JSON.stringify([errors, warnings]);
      if (box.dataset.shown === text) continue;
      box.dataset.shown = text;
      const parts = [];
      for (const [kind, list] of [["erreurs", errors], ["avertissements", warnings]]) {
        if (!list.length) continue;
        const group = document.createElement("div");
        group.className = kind;
        const named = box.parentElement.classList.contains("constats-tableau");
        group.append(...list.map((f) => findingElement(f, named)));
        parts.push(group);
      }
      box.replaceChildren(...parts);
      for (const input of form.querySelectorAll(`[aria-describedby="${CSS.escape(box.id)}"]`)) {
        if (errors.length) input.setAttribute("aria-invalid", "true");
        else input.removeAttribute("aria-invalid");
        input.closest(".champ").classList.toggle("en-erreur", errors.length > 0);
      }
    }
    const othersBox = document.getElementById("autres-constats");
    const othersText = JSON.stringify(others);
    if (othersBox.dataset.shown !== othersText) {
      othersBox.dataset.shown = othersText;
      othersBox.replaceChildren(...others.map((f) => findingElement(f, true)));
    }
    document.getElementById("autres").hidden = others.length === 0;
  }

  function showSummary(data) {
    // Questions still to answer are counted apart: they are not mistakes. A value being
    // typed is not counted until its field is left.
    const count = (test) => data.constats.filter(test).length;
    const mandatory = count((f) => f.code === "mandatory-missing");
    const unanswered = count((f) => UNANSWERED.has(f.code) && f.code !== "mandatory-missing");
    const typed = (f) => FORMAT.has(f.code) && !shown(f);
    const errors = data.erreurs - mandatory - count((f) => typed(f) && f.gravite === "erreur");
    const warnings = data.avertissements - unanswered - count((f) => typed(f) && f.gravite !== "erreur");
    let head;
    if (errors) head = `${errors} erreur(s) à corriger`;
    else if (mandatory || unanswered) head = "Pas d'erreur dans ce qui est rempli";
    else head = "Aucune erreur";
    const advice = errors ? " avant de produire le bilan" : "";
    let rest = warnings ? `, ${warnings} avertissement(s) à relire` : "";
    if (mandatory || unanswered) {
      const parts = [];
      if (mandatory) parts.push(`${mandatory} réponse(s) Oui/Non obligatoire(s)`);
      if (unanswered) parts.push(`${unanswered} question(s) sans réponse`);
      rest += `. Reste à remplir : ${parts.join(" et ")}.`;
    } else {
      rest += errors || warnings ? "." : ", aucun avertissement : le bilan est prêt.";
    }
    if (checkState.textContent !== head + advice + rest) {
      const long = document.createElement("span");
      long.className = "long";
      long.textContent = advice;
      checkState.replaceChildren(head, long, rest);
    }
    checkState.className = errors ? "mauvais" : warnings || mandatory || unanswered ? "moyen" : "bon";
    firstError.hidden = !form.querySelector(".en-erreur");
    document.getElementById("tout-verifier").hidden = showAll || !data.constats.some((f) => !shown(f));
    const summary = data.resume;
    if (!summary) return;
    for (const element of document.querySelectorAll("[data-resume]")) {
      const value = summary[element.dataset.resume];
      if (Array.isArray(value)) {
        element.textContent = `${value[0] ? "critères remplis" : "non remplis"} : ${value[1]}`;
        element.className = value[0] ? "bon" : "moyen";
      } else if (value !== undefined) {
        element.textContent = value;
      }
    }
    for (const element of form.querySelectorAll("[data-calcul]")) {
      const value = summary[element.dataset.calcul];
      if (value !== undefined) element.textContent = value;
    }
  }

  async function check() {
    const number = ++checkNumber;
    const sent = edits;
    let response;
    try {
      response = await post("/api/verifier", { valeurs: values() });
    } catch {
      checkFailed = true; // checked again once a save goes through
      if (!refused) checkState.textContent = `Le formulaire ne répond plus : ${START_AGAIN}.`;
      return;
    }
    checkFailed = false;
    if (number !== checkNumber || !response.ok) return; // a newer check is on its way
    const data = await response.json();
    if (number !== checkNumber) return;
    lastCheck = data;
    checkedEdits = sent;
    showCheck();
    if (!announcing) {
      // From now on, a finding that appears or goes is read out by screen readers (not
      // the whole list at opening).
      announcing = true;
      liveFindings(document);
    }
  }

  function liveFindings(root) {
    if (announcing) root.querySelectorAll(".constats").forEach((box) => box.setAttribute("aria-live", "polite"));
  }

  // Saving -----------------------------------------------------------------------------
  // Every save names the version of the file this page holds (built from, or last saved):
  // when the file is no longer that version (another tab, another program), the server
  // writes nothing and answers with a conflict, and the page's answers go on being kept
  // (draft file, journal in this browser) until the user chooses.

  const KEEPALIVE_LIMIT = 60000; // bytes: Chromium drops keepalive bodies above 64 KiB
  let version = document.querySelector('meta[name="version-fichier"]').content || null;
  let conflictVersion = null; // the file's version when a conflict was found
  let conflictDraft = null; // the draft the page's answers went to (none: an earlier one is kept)
  let dropDraft = false; // the draft was taken back: delete it once saved

  function time() {
    return new Date().toLocaleTimeString("fr-FR", { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  }

  function unsaved() {
    return edits !== savedEdits || conflict;
  }

  function showSaved() {
    const pending = edits !== savedEdits;
    document.body.classList.toggle("non-enregistre", pending || conflict);
    if (conflict) saveState.textContent = "Non enregistré dans le fichier : il a changé ailleurs (voir en haut de la page). Vos réponses sont gardées.";
    else if (pending) saveState.textContent = "Modifications en cours d'enregistrement…";
    else saveState.textContent = `Tout est enregistré (${time()}).`;
  }

  let writing = Promise.resolve(); // the last call that writes the file (save or produce)
  let waiting = 0; // such calls not finished yet

  function inTurn(task) {
    // One call writing the file at a time, each naming the version the one before left:
    // a save sent while the bilan is produced must not name the version produce replaced.
    waiting += 1;
    const run = writing.then(task).finally(() => {
      waiting -= 1;
    });
    writing = run.catch(() => null);
    return run;
  }

  async function save({ leaving = false } = {}) {
    clearTimeout(saveTimer);
    if (conflict) return keepDraft();
    if (leaving) return sendSave(true); // the page is going: no waiting in turn
    const behind = waiting > 0;
    return inTurn(() => {
      if (behind && edits === savedEdits) return null; // saved by the call it waited for
      return conflict ? keepDraft() : sendSave(false);
    });
  }

  async function sendSave(leaving) {
    const body = { valeurs: values(), version, oublier_brouillon: dropDraft };
    const keepalive = leaving && new TextEncoder().encode(JSON.stringify(body)).length < KEEPALIVE_LIMIT;
    if (leaving && !keepalive) return; // too big to outlive the page: the journal keeps it
    const sent = edits;
    let response;
    try {
      response = await post("/api/enregistrer", body, keepalive);
    } catch {
      saveState.textContent = refused ? RELAUNCHED : `Non enregistré : le formulaire ne répond plus. Vos réponses sont gardées dans ce navigateur ; ${START_AGAIN}.`;
      saveTimer = setTimeout(save, 5000);
      return;
    }
    const data = await response.json().catch(() => ({}));
    if (response.status === 409 && data.conflit) {
      showConflict(data.brouillon, data.version);
      return;
    }
    if (!response.ok) {
      saveState.textContent = `Non enregistré : ${data.erreur || "erreur du serveur"} ${data.conseil || ""}`;
      saveTimer = setTimeout(save, 5000);
      return;
    }
    saved(data.version, sent, body.oublier_brouillon);
    if (edits !== savedEdits) scheduleSave();
  }

  function saved(newVersion, sent, draftDropped) {
    version = newVersion;
    if (draftDropped) dropDraft = false;
    savedEdits = Math.max(savedEdits, sent);
    if (edits === savedEdits) clearJournal();
    showSaved();
    if (checkFailed) check(); // the form is back: its findings replace « ne répond plus »
  }

  async function keepDraft() {
    const response = await post("/api/brouillon", { valeurs: values() }).catch(() => null);
    if (!response || !response.ok) {
      saveState.textContent = "Non enregistré : le brouillon n'a pas pu être écrit. Vos réponses sont gardées dans ce navigateur.";
    }
  }

  function scheduleSave() {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(save, SAVE_DELAY);
  }

  function changed() {
    edits += 1;
    journalSoon();
    showSaved();
    clearTimeout(checkTimer);
    checkTimer = setTimeout(check, CHECK_DELAY);
    scheduleSave();
  }

  function showAlert(text, actions, { focus = true } = {}) {
    document.getElementById("alerte-texte").replaceChildren(...[text].flat());
    alertBox.classList.remove("conflit");
    const box = alertBox.querySelector(".alerte-actions");
    box.replaceChildren(
      ...actions.map(([label, run]) => {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = label;
        button.addEventListener("click", () => {
          alertBox.hidden = true;
          run();
        });
        return button;
      }),
    );
    alertBox.hidden = false;
    if (focus) box.querySelector("button").focus();
  }

  // Conflicts: the user chooses, nothing is dropped meanwhile ---------------------------

  function strong(text) {
    const element = document.createElement("strong");
    element.textContent = text;
    return element;
  }

  function showConflict(draft, diskVersion, failure = null) {
    conflict = true;
    conflictVersion = diskVersion;
    conflictDraft = draft;
    showSaved();
    keepDraft();
    const text = [
      strong("Le fichier de réponses a été modifié ailleurs"),
      " (dans un autre onglet ou un autre programme) depuis que cette page l'a lu. Il n'a pas été remplacé, et rien n'est perdu : " +
        `les réponses de cette page sont gardées ${draft ? `dans «\u00a0${draft}\u00a0» et ` : ""}dans ce navigateur, ce que vous tapez maintenant aussi. ` +
        "Choisissez : garder les réponses de cette page (elles remplacent le fichier), ou reprendre le fichier tel qu'il est (celles de cette page sont alors abandonnées).",
    ];
    if (failure) {
      const line = document.createElement("span");
      line.className = "echec";
      line.append(
        strong("Le fichier n'a pas pu être repris : "),
        `${failure} Corrigez-le ou remettez-le en place, puis cliquez de nouveau sur «\u00a0Reprendre le fichier\u00a0».`,
      );
      text.unshift(line);
    }
    // Shown without taking the focus: the user may be typing, and a space must not choose.
    showAlert(
      text,
      [
        ["Garder mes réponses", keepMine],
        ["Reprendre le fichier", () => takeFile(draft)],
      ],
      { focus: failure !== null },
    );
    alertBox.classList.add("conflit");
  }

  function keepMine() {
    conflict = false;
    version = conflictVersion; // the user chose to replace this version of the file
    if (conflictDraft) dropDraft = true;
    save();
  }

  async function takeFile(draft) {
    const response = await post("/api/fichier", {}).catch(() => null);
    const data = response ? await response.json().catch(() => ({})) : {};
    if (!response || !response.ok) {
      showConflict(draft, conflictVersion, response ? data.erreur || "erreur du serveur." : "le formulaire ne répond plus.");
      return;
    }
    setValues(data.valeurs);
    version = data.version;
    conflict = false;
    if (conflictDraft) await post("/api/brouillon/oublier", {}).catch(() => null);
    savedEdits = edits;
    clearJournal();
    showSaved();
    check();
  }

  // Offers at opening: an earlier draft, edits journaled in this browser ------------------

  const offers = [];

  function nextOffer() {
    const offer = offers.shift();
    if (offer) offer();
  }

  function offerDraft() {
    const element = document.getElementById("brouillon");
    if (!element) return;
    const draft = JSON.parse(element.textContent);
    offers.push(() =>
      showAlert(
        "Des réponses saisies lors d'une séance précédente n'avaient pas pu être enregistrées dans le fichier : elles ont été gardées dans un brouillon. Les reprendre ? Le brouillon est gardé tant que vous n'avez pas choisi.",
        [
          ["Reprendre le brouillon", () => { setValues(draft); dropDraft = true; changed(); nextOffer(); }],
          ["Supprimer le brouillon", () => { post("/api/brouillon/oublier", {}); nextOffer(); }],
        ],
      ),
    );
  }

  // Journal: the page's unsaved answers in this browser, one entry a page load, removed once
  // saved. Whatever happens to the tab or the server, the next page of this file finds them.

  const JOURNAL = `clas-bilan:${pageId}:`;
  const journalKey = JOURNAL + Date.now().toString(36) + Math.random().toString(36).slice(2, 8);

  const JOURNAL_DELAY = 300; // ms: a long form is not serialised at every keystroke
  let journalTimer = null;

  function journalSoon() {
    if (journalTimer === null) journalTimer = setTimeout(journal, JOURNAL_DELAY);
  }

  function journal() {
    clearTimeout(journalTimer);
    journalTimer = null;
    if (!unsaved()) return;
    try {
      localStorage.setItem(journalKey, JSON.stringify({ base: version, moment: Date.now(), valeurs: values() }));
    } catch {
      // Storage refused or full: the file and the draft remain.
    }
  }

  function clearJournal() {
    try {
      localStorage.removeItem(journalKey);
    } catch {
      // Nothing to clear.
    }
  }

  function journals() {
    const found = [];
    try {
      for (let index = 0; index < localStorage.length; index += 1) {
        const key = localStorage.key(index);
        if (!key.startsWith(JOURNAL) || key === journalKey) continue;
        try {
          found.push({ key, ...JSON.parse(localStorage.getItem(key)) });
        } catch {
          localStorage.removeItem(key);
        }
      }
    } catch {
      return [];
    }
    return found.sort((a, b) => b.moment - a.moment);
  }

  function sameValues(a, b) {
    const names = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const name of names) if ((a[name] ?? "") !== (b[name] ?? "")) return false;
    return true;
  }

  function when(moment) {
    const date = new Date(moment);
    return `le ${date.toLocaleDateString("fr-FR")} à ${date.toLocaleTimeString("fr-FR", { hour: "2-digit", minute: "2-digit" })}`;
  }

  function offerJournal() {
    const fromFile = values();
    const entries = journals().filter((entry) => {
      if (entry.valeurs && !sameValues(entry.valeurs, fromFile)) return true;
      localStorage.removeItem(entry.key); // already in the file
      return false;
    });
    entries.forEach((entry, index) => {
      const take = () => {
        setValues(entry.valeurs);
        changed();
        journal(); // under this page's entry, before the old one goes
        localStorage.removeItem(entry.key);
      };
      if (index === 0 && entry.base === version) {
        // The file has not changed since these edits were typed over it: they are simply newer.
        take();
        offers.unshift(() =>
          showAlert(
            `Vos dernières modifications, saisies ${when(entry.moment)}, n'avaient pas encore été enregistrées : elles ont été reprises, et s'enregistrent dans le fichier.`,
            [
              ["D'accord", nextOffer],
              ["Les annuler et revenir au fichier", () => { setValues(fromFile); changed(); nextOffer(); }],
            ],
          ),
        );
        return;
      }
      offers.push(() =>
        showAlert(
          `Des modifications saisies dans cette page ${when(entry.moment)} n'ont pas été enregistrées, et le fichier a changé depuis. ` +
            "Les reprendre ? Les réponses de la page redeviendraient celles de ce moment-là.",
          [
            ["Reprendre ces modifications", () => { take(); nextOffer(); }],
            ["Les abandonner", () => { localStorage.removeItem(entry.key); nextOffer(); }],
          ],
        ),
      );
    });
  }

  // Producing the bilan and the e-mail ---------------------------------------------------

  function showFiles(intro, files) {
    const box = document.createElement("div");
    const p = document.createElement("p");
    p.textContent = intro;
    const ul = document.createElement("ul");
    for (const file of files) {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = file.adresse;
      a.download = file.nom;
      a.textContent = `Télécharger ${file.nom}`;
      li.append(a);
      ul.append(li);
    }
    box.append(p, ul);
    showResult(box);
  }

  function showResult(content) {
    // Where the user is looking: the result is brought into view and takes the focus.
    result.replaceChildren(content);
    result.scrollIntoView({ block: "nearest" });
    result.focus({ preventScroll: true });
  }

  function busy(on) {
    for (const button of document.querySelectorAll(".actions button")) {
      if (on) {
        button.dataset.etaitInactif = button.disabled ? "oui" : "";
        button.disabled = true;
      } else {
        button.disabled = button.dataset.etaitInactif === "oui";
      }
      button.toggleAttribute("aria-busy", on);
    }
    result.setAttribute("aria-busy", on ? "true" : "false");
  }

  const CHOOSE_FIRST =
    "Le bilan n'a pas été produit : le fichier de réponses a changé ailleurs. Choisissez d'abord en haut de la page entre vos réponses et le fichier.";

  async function produce(replace = false) {
    if (conflict) {
      showResult(CHOOSE_FIRST);
      return;
    }
    busy(true);
    showResult("Production du bilan en cours… (quelques secondes)");
    try {
      await produceNow(replace);
    } catch {
      showResult(`Le bilan n'a pas été produit : ${refused ? RELAUNCH : GONE}`);
    } finally {
      busy(false);
    }
  }

  async function produceNow(replace) {
    const { response, data } = await inTurn(async () => {
      const sent = edits;
      const answer = await post("/api/produire", { valeurs: values(), version, remplacer: replace });
      const body = await answer.json().catch(() => ({}));
      if (answer.status === 409 && body.conflit) showConflict(body.brouillon, body.version);
      else if (body.version && (answer.ok || body.existe)) saved(body.version, sent, false);
      return { response: answer, data: body };
    });
    if (edits !== savedEdits && !conflict) scheduleSave(); // typed while it was produced
    if (response.status === 409 && data.existe) {
      // The answers were saved before the question.
      if (window.confirm(`« ${data.existe} » existe déjà à côté du fichier de réponses. Le remplacer ?`)) await produceNow(true);
      else showResult("Rien n'a été remplacé.");
      return;
    }
    if (response.status === 409 && data.conflit) {
      showResult(CHOOSE_FIRST);
      return;
    }
    if (!response.ok) {
      showResult(`${data.erreur || "Erreur du serveur."} ${data.conseil || ""}`);
      return;
    }
    showAll = true;
    lastCheck = data;
    showCheck();
    if (data.erreurs) {
      const mandatory = data.constats.filter((f) => f.code === "mandatory-missing").length;
      const parts = [];
      if (data.erreurs > mandatory) parts.push(`${data.erreurs - mandatory} erreur(s) à corriger`);
      if (mandatory) parts.push(`${mandatory} réponse(s) Oui/Non obligatoire(s) à donner`);
      showResult(`Le bilan n'a pas été produit : ${parts.join(" et ")} d'abord (« Aller à la première erreur »).`);
      return;
    }
    showFiles(`Bilan écrit dans le dossier ${data.dossier}, à côté du fichier de réponses. Relisez-le, datez-le et signez-le :`, data.fichiers);
    emailButton.dataset.etaitInactif = "";
  }

  async function email(replace = false) {
    busy(true);
    try {
      await emailNow(replace);
    } catch {
      showResult(`Le courriel n'a pas été préparé : ${refused ? RELAUNCH : GONE}`);
    } finally {
      busy(false);
    }
  }

  async function emailNow(replace) {
    const response = await post("/api/courriel", { remplacer: replace });
    const data = await response.json().catch(() => ({}));
    if (response.status === 409 && data.existe) {
      if (window.confirm(`« ${data.existe} » existe déjà. Le remplacer ?`)) await emailNow(true);
      return;
    }
    if (!response.ok) {
      showResult(`${data.erreur || "Erreur du serveur."} ${data.conseil || ""}`);
      return;
    }
    // The same attachments as « clas-bilan email » with the PDF copy given to --joindre.
    const copy = (data.joints || []).some((name) => name.toLowerCase().endsWith(".pdf"));
    const attached = copy ? "le bilan (Word) et sa copie PDF sont joints" : "le bilan (Word) est joint";
    showFiles(
      `Brouillon de courriel écrit dans le dossier ${data.dossier}, adressé à la Caf : ${attached}. Ouvrez-le (double-clic) dans Outlook ou Thunderbird, relisez-le (joignez-y aussi le bilan signé et scanné, si vous l'avez), puis envoyez-le.`,
      data.fichiers,
    );
  }

  // The signature's image --------------------------------------------------------------

  const imageValue = form.querySelector('input[type="hidden"][name="signature.image"]');
  const imageInput = form.querySelector('.champ-image input[type="file"]');

  function showImage(name, preview) {
    const chosen = document.getElementById("image-choisie");
    chosen.querySelector("strong").textContent = name;
    chosen.hidden = !name;
    document.getElementById("image-retirer").hidden = !name;
    const image = document.getElementById("image-apercu");
    image.hidden = !preview;
    if (preview) image.src = preview;
    else image.removeAttribute("src");
  }

  function setImage(name, preview) {
    imageValue.value = name;
    showImage(name, preview);
    changed();
  }

  async function chooseImage() {
    // Sent as it is; the server checks it like « validate » and keeps it beside the answers.
    const file = imageInput.files[0];
    if (!file) return;
    const box = document.getElementById("k-signature.image");
    box.textContent = "Envoi de l'image…";
    let response;
    try {
      response = await fetch("/api/signature", {
        method: "PUT",
        headers: { "Content-Type": "application/octet-stream", "X-Fichier": pageId, "X-Nom": encodeURIComponent(file.name) },
        body: file,
      });
    } catch {
      box.textContent = "L'image n'a pas pu être envoyée : le formulaire ne répond plus.";
      return;
    }
    const data = await response.json().catch(() => ({}));
    imageInput.value = "";
    if (!response.ok) {
      delete box.dataset.shown;
      const p = document.createElement("p");
      p.className = "constat erreur";
      const strong = document.createElement("strong");
      strong.textContent = "Image refusée : ";
      p.append(strong, `${data.erreur || "erreur du serveur."} ${data.conseil || ""}`);
      box.replaceChildren(p);
      return;
    }
    box.textContent = "";
    const reader = new FileReader();
    reader.onload = () => setImage(data.image, reader.result);
    reader.readAsDataURL(file);
  }

  imageInput.addEventListener("change", chooseImage);
  document.getElementById("image-choisir").addEventListener("click", () => imageInput.click());
  document.getElementById("image-retirer").addEventListener("click", () => {
    setImage("", null);
    document.getElementById("image-choisir").focus();
  });

  // Wiring -----------------------------------------------------------------------------

  function grow(textarea) {
    if (CSS.supports("field-sizing", "content")) return;
    textarea.style.height = "auto";
    textarea.style.height = `${textarea.scrollHeight + 2}px`;
  }

  form.addEventListener("input", (event) => {
    if (event.target.type === "file") return;
    if (event.target.tagName === "TEXTAREA") grow(event.target);
    if (event.target.type !== "radio") {
      typing.add(event.target.name);
      left.delete(event.target.name);
    }
    changed();
  });
  form.addEventListener("focusout", (event) => {
    // A field left: its unanswered question and its format are now worth saying.
    const name = fieldName(event.target);
    if (!name) return;
    if (event.target.type === "radio" && event.target.closest("fieldset").contains(event.relatedTarget)) return;
    typing.delete(name);
    left.add(name);
    if (checkedEdits === edits) showCheck(); // else the check on its way shows it
  });
  document.getElementById("tout-verifier").addEventListener("click", checkAll);
  form.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-action]");
    if (button) rowAction(button);
  });
  form.addEventListener("submit", (event) => event.preventDefault());
  document.getElementById("enregistrer").addEventListener("click", () => save());
  document.getElementById("produire").addEventListener("click", () => produce());
  emailButton.addEventListener("click", () => email());
  firstError.addEventListener("click", () => {
    const wrong = form.querySelector(".en-erreur");
    if (wrong) wrong.querySelector("input, textarea").focus();
  });
  document.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key === "s") {
      event.preventDefault();
      save();
    }
  });
  // Closing the tab or the browser: the journal holds what is not saved yet, and a save is
  // sent when small enough to outlive the page; the browser asks before leaving.
  window.addEventListener("beforeunload", (event) => {
    if (!unsaved()) return;
    journal();
    event.preventDefault();
    event.returnValue = "";
  });
  window.addEventListener("pagehide", () => {
    journal();
    if (edits !== savedEdits && !conflict) save({ leaving: true });
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState !== "hidden") return;
    journal();
    if (edits !== savedEdits) save();
  });

  if (window.matchMedia("(max-width: 60rem)").matches) {
    document.getElementById("details-resume").open = false;
  }
  renumber();
  form.querySelectorAll("textarea").forEach(grow);
  showSaved();
  offerDraft();
  offerJournal();
  nextOffer();
  check();
})();
