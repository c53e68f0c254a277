// Reason templates: offer only those written for the chosen status; choosing one fills the reason, which
// stays editable. For "implemented" the reason is the implementation note.
(function () {
  const templates = JSON.parse(document.getElementById("reason-templates").textContent);
  const status = document.getElementById("id_to_status");
  const select = document.getElementById("id_reason_template");
  const reason = document.getElementById("id_reason");
  const label = document.querySelector('label[for="id_reason"]');
  if (!status || !select || !reason) return;
  // The label's two wordings come translated from the page (#reason-labels); the English ones only
  // when the page gives none.
  const names = document.getElementById("reason-labels");
  const labels = {
    reason: (names && names.dataset.reason) || "Reason:",
    implemented: (names && names.dataset.implemented) || "Implementation note:",
  };
  const find = (id) => templates.find((t) => t.id === id);
  function refresh() {
    for (const option of select.querySelectorAll("option")) {
      if (!option.value) continue;
      const template = find(option.value);
      option.hidden = option.disabled = !template || !template.statuses.includes(status.value);
    }
    for (const group of select.querySelectorAll("optgroup")) {
      group.hidden = !group.querySelector("option:not([disabled])");
    }
    if (select.selectedOptions[0] && select.selectedOptions[0].disabled) select.value = "";
    if (label) label.textContent = status.value === "implemented" ? labels.implemented : labels.reason;
  }
  select.addEventListener("change", () => {
    const template = find(select.value);
    if (template) reason.value = template.text;
  });
  status.addEventListener("change", refresh);
  refresh();
})();
