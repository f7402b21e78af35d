// The segment builder: groups of conditions edited as form controls, kept in the form's
// JSON field (which the server checks and saves), with the live count and sample fetched
// 300 ms after each change. Without JavaScript the JSON field itself can be edited.
(function () {
  "use strict";

  var root = document.getElementById("segment-builder");
  var fieldsScript = document.getElementById("segment-fields");
  if (!root || !fieldsScript) return;
  var form = root.closest("form");
  var json = form.querySelector("[data-rules-json]");
  var text = root.dataset;
  var fields = JSON.parse(fieldsScript.textContent);
  var byKey = {};
  fields.forEach(function (field) { byKey[field.key] = field; });
  var uid = 0;

  function parse(raw) {
    try {
      var value = JSON.parse(raw || "");
      if (value && Array.isArray(value.rules)) return value;
    } catch (error) { /* fall through to an empty group */ }
    return { match: "all", rules: [] };
  }

  var state = parse(json.value);

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") node.textContent = attrs[name];
      else node.setAttribute(name, attrs[name]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  function labelled(control, label) {
    var id = "sb-" + (++uid);
    control.id = id;
    return [el("label", { for: id, class: "visually-hidden", text: label }), control];
  }

  function select(options, value, onChange) {
    var node = el("select");
    options.forEach(function (option) {
      var item = el("option", { value: String(option[0]), text: option[1] });
      if (String(option[0]) === String(value)) item.selected = true;
      node.appendChild(item);
    });
    node.addEventListener("change", function () { onChange(node.value); });
    return node;
  }

  // The fields grouped as the server groups them (who they are, what they do, …).
  function fieldSelect(value, onChange) {
    var node = el("select");
    var groups = {};
    fields.forEach(function (field) {
      if (!groups[field.group]) {
        groups[field.group] = el("optgroup", { label: field.group });
        node.appendChild(groups[field.group]);
      }
      var item = el("option", { value: field.key, text: field.label });
      if (field.key === value) item.selected = true;
      groups[field.group].appendChild(item);
    });
    node.addEventListener("change", function () { onChange(node.value); });
    return node;
  }

  function defaultValue(field) {
    if (field.value === "bool") return true;
    if (field.value === "choice") return field.choices && field.choices.length ? field.choices[0][0] : "";
    if (["choices", "words"].indexOf(field.value) >= 0) return [];
    return "";
  }

  function newCondition(key) {
    var field = byKey[key] || fields[0];
    var rule = { field: field.key, op: field.ops[0].key, value: defaultValue(field) };
    if (field.period) rule.days = 90;
    return rule;
  }

  function valueControl(rule, field) {
    var changed = function () { sync(); };
    if (rule.op === "never") return null;
    if (field.value === "bool") {
      return labelled(select([[true, text.textYes], [false, text.textNo]], rule.value, function (value) {
        rule.value = value === "true"; changed();
      }), text.textValue);
    }
    if (field.value === "choice") {
      return labelled(select(field.choices || [], rule.value, function (value) { rule.value = value; changed(); }), text.textValue);
    }
    if (field.value === "choices") {
      var box = el("fieldset", { class: "rule-choices" }, [el("legend", { class: "visually-hidden", text: field.label })]);
      var chosen = (rule.value || []).map(String);
      (field.choices || []).forEach(function (choice) {
        var id = "sb-" + (++uid);
        var input = el("input", { type: "checkbox", id: id, value: String(choice[0]) });
        input.checked = chosen.indexOf(String(choice[0])) >= 0;
        input.addEventListener("change", function () {
          rule.value = Array.prototype.filter.call(box.querySelectorAll("input"), function (item) { return item.checked; })
            .map(function (item) { return isNaN(Number(item.value)) || item.value === "" ? item.value : Number(item.value); });
          changed();
        });
        box.appendChild(el("label", { for: id, class: "chip-check" }, [input, document.createTextNode(" " + choice[1])]));
      });
      return [box];
    }
    var input = el("input", { type: field.value === "date" ? "date" : (field.value === "number" || field.value === "days" ? "number" : "text") });
    if (field.value === "number" || field.value === "days") { input.min = "0"; input.step = "any"; input.inputMode = "decimal"; }
    if (field.value === "words") {
      input.placeholder = text.textComma;
      input.value = (rule.value || []).join(", ");
      if (field.choices && field.choices.length) {
        var listId = "sb-list-" + field.key;
        if (!document.getElementById(listId)) {
          var list = el("datalist", { id: listId });
          field.choices.forEach(function (choice) { list.appendChild(el("option", { value: choice[1] })); });
          root.appendChild(list);
        }
        input.setAttribute("list", listId);
      }
    } else {
      input.value = rule.value === undefined || rule.value === null ? "" : rule.value;
    }
    input.addEventListener("input", function () {
      if (field.value === "words") {
        rule.value = input.value.split(",").map(function (word) { return word.trim(); }).filter(Boolean);
      } else if (field.value === "number" || field.value === "days") {
        rule.value = input.value === "" ? "" : Number(input.value);
      } else {
        rule.value = input.value;
      }
      changed();
    });
    return labelled(input, text.textValue);
  }

  function conditionRow(rule, parent, index) {
    var field = byKey[rule.field] || fields[0];
    var row = el("div", { class: "rule-row", "data-path": "" });
    labelled(fieldSelect(rule.field, function (key) {
      parent.rules[index] = newCondition(key); render();
    }), text.textField).forEach(function (node) { row.appendChild(node); });
    labelled(select(field.ops.map(function (op) { return [op.key, op.label]; }), rule.op, function (op) {
      rule.op = op; render();
    }), text.textOp).forEach(function (node) { row.appendChild(node); });
    (valueControl(rule, field) || []).forEach(function (node) { row.appendChild(node); });
    if (field.period) {
      var days = el("input", { type: "number", min: "1", max: "3660", class: "rule-days", inputmode: "numeric" });
      days.value = rule.days;
      days.addEventListener("input", function () { rule.days = days.value === "" ? "" : Number(days.value); sync(); });
      row.appendChild(el("span", { class: "muted small", text: text.textInLast }));
      labelled(days, text.textDays).forEach(function (node) { row.appendChild(node); });
      row.appendChild(el("span", { class: "muted small", text: text.textDays }));
    }
    row.appendChild(removeButton(parent, index));
    return row;
  }

  function removeButton(parent, index) {
    var button = el("button", { type: "button", class: "link-button rule-remove", "aria-label": text.textRemove, text: "✕" });
    button.title = text.textRemove;
    button.addEventListener("click", function () { parent.rules.splice(index, 1); render(); });
    return button;
  }

  function groupBox(group, parent, index, depth) {
    var box = el("div", { class: "rule-group" + (depth ? " rule-subgroup" : "") });
    var head = el("div", { class: "rule-group-head" });
    head.appendChild(el("span", { text: text.textMatch }));
    labelled(select([["all", text.textAll], ["any", text.textAny]], group.match || "all", function (value) {
      group.match = value; sync();
    }), text.textMatch).forEach(function (node) { head.appendChild(node); });
    if (parent) head.appendChild(removeButton(parent, index));
    box.appendChild(head);
    if (!group.rules.length && !parent) box.appendChild(el("p", { class: "muted small", text: text.textEmpty }));
    group.rules.forEach(function (rule, position) {
      box.appendChild(rule && Array.isArray(rule.rules)
        ? groupBox(rule, group, position, depth + 1)
        : conditionRow(rule, group, position));
    });
    var actions = el("div", { class: "rule-actions" });
    var add = el("button", { type: "button", class: "button button-small", text: "+ " + text.textAdd });
    add.addEventListener("click", function () { group.rules.push(newCondition(fields[0].key)); render(); focusLast(box); });
    actions.appendChild(add);
    if (depth < 3) {
      var addGroup = el("button", { type: "button", class: "button button-small", text: "+ " + text.textGroup });
      addGroup.addEventListener("click", function () {
        group.rules.push({ match: "any", rules: [newCondition(fields[0].key)] }); render();
      });
      actions.appendChild(addGroup);
    }
    box.appendChild(actions);
    return box;
  }

  function focusLast() {
    var selects = root.querySelectorAll(".rule-row select");
    if (selects.length) selects[selects.length - 2 >= 0 ? selects.length - 2 : 0].focus();
  }

  var timer = null;
  function sync() {
    json.value = JSON.stringify(state);
    clearTimeout(timer);
    timer = setTimeout(preview, 300);
  }

  function preview() {
    if (!window.htmx) return;
    window.htmx.ajax("POST", root.dataset.previewUrl, {
      source: form, target: "#segment-preview", swap: "outerHTML", indicator: "#preview-loading",
      values: { rules: json.value },
    });
  }

  function render() {
    root.textContent = "";
    root.appendChild(groupBox(state, null, 0, 0));
    sync();
  }

  // Static lists have no rules: the builder shows only for "rules".
  function showForKind() {
    var checked = form.querySelector("input[name=kind]:checked");
    var wrap = form.querySelector("[data-builder-for=kind]");
    var kind = checked ? checked.value : (form.querySelector("input[name=kind]") || {}).value;
    if (wrap) wrap.hidden = kind === "static";
  }
  form.addEventListener("change", function (event) { if (event.target.name === "kind") showForKind(); });
  json.addEventListener("change", function () { state = parse(json.value); render(); });

  showForKind();
  render();
})();
