// People pickers (mentora/people/widgets.py): a <select data-picker> becomes a combobox
// after the WAI-ARIA pattern. Typing lists matches in a listbox; the arrow keys move through
// them (aria-activedescendant), Enter chooses, Escape closes. The hidden select keeps the
// value the form sends, so the form's own field still decides whether it stands.
// data-picker="options" filters the select's own options; "search" asks data-picker-url.
// The words it says come, translated, from this script's own data attributes.
(function () {
  "use strict";
  var script = document.currentScript;
  var words = (script && script.dataset) || {};
  var LIMIT = 20;
  var SEARCH_FROM = 2;
  var counter = 0;

  function say(key, value) {
    var text = words[key] || "";
    return value === undefined ? text : text.replace("%s", value);
  }

  // Lower case without accents, so that "lowe" finds "Löwe".
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function Picker(select) {
    counter += 1;
    this.select = select;
    this.multiple = select.multiple;
    this.url = select.getAttribute("data-picker") === "search" ? select.dataset.pickerUrl : "";
    this.id = (select.id || "picker-" + counter) + "-picker";
    this.results = [];
    this.active = -1;
    this.asked = 0;
    this.timer = null;
    this.build();
  }

  Picker.prototype.build = function () {
    var select = this.select;
    var label = select.id ? document.querySelector('label[for="' + select.id + '"]') : null;
    var box = element("div", "picker");
    this.input = element("input", "picker-input");
    this.input.type = "text";
    this.input.id = this.id;
    this.input.setAttribute("role", "combobox");
    this.input.setAttribute("aria-autocomplete", "list");
    this.input.setAttribute("aria-expanded", "false");
    this.input.setAttribute("aria-controls", this.id + "-list");
    this.input.setAttribute("autocomplete", "off");
    this.input.setAttribute("spellcheck", "false");
    if (select.getAttribute("aria-describedby")) {
      this.input.setAttribute("aria-describedby", select.getAttribute("aria-describedby"));
    }
    if (select.getAttribute("aria-invalid")) {
      this.input.setAttribute("aria-invalid", select.getAttribute("aria-invalid"));
    }
    this.list = element("ul", "picker-list");
    this.list.id = this.id + "-list";
    this.list.setAttribute("role", "listbox");
    this.list.hidden = true;
    if (label) {
      if (!label.id) label.id = this.id + "-label";
      label.htmlFor = this.id;
      this.list.setAttribute("aria-labelledby", label.id);
    }
    this.status = element("p", "visually-hidden");
    this.status.setAttribute("role", "status");
    if (this.multiple) {
      this.chosen = element("ul", "picker-chosen");
      this.chosen.setAttribute("aria-label", say("chosen"));
      box.appendChild(this.chosen);
    }
    box.appendChild(this.input);
    box.appendChild(this.list);
    box.appendChild(this.status);
    select.hidden = true;
    select.insertAdjacentElement("afterend", box);
    this.showChosen();
    this.listen();
  };

  Picker.prototype.listen = function () {
    var self = this;
    this.input.addEventListener("input", function () {
      window.clearTimeout(self.timer);
      self.timer = window.setTimeout(function () { self.find(); }, self.url ? 200 : 0);
    });
    this.input.addEventListener("keydown", function (event) { self.key(event); });
    this.input.addEventListener("focus", function () { self.input.select(); });
    this.input.addEventListener("blur", function () {
      window.setTimeout(function () { self.close(); self.showChosen(); }, 150);
    });
    // A click chooses without taking the focus from the text box.
    this.list.addEventListener("mousedown", function (event) { event.preventDefault(); });
    this.list.addEventListener("click", function (event) {
      var option = event.target.closest('[role="option"]');
      if (option) self.choose(Number(option.dataset.index));
    });
  };

  Picker.prototype.key = function (event) {
    var open = !this.list.hidden;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!open) { this.find(); return; }
      var step = event.key === "ArrowDown" ? 1 : -1;
      var count = this.results.length;
      if (count) this.activate((this.active + step + count) % count);
    } else if (event.key === "Enter") {
      if (open) {
        event.preventDefault();
        if (this.active >= 0) this.choose(this.active);
      }
    } else if (event.key === "Escape") {
      if (open) { event.preventDefault(); this.close(); }
    } else if (event.key === "Tab") {
      this.close();
    }
  };

  Picker.prototype.find = function () {
    var text = this.input.value.trim();
    if (!this.url) { this.show(this.fromOptions(text), false); return; }
    if (text.length < SEARCH_FROM) { this.close(); return; }
    var self = this;
    var asked = (this.asked += 1);
    var url = this.url + (this.url.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(text);
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (answer) {
        if (asked !== self.asked) return;
        var taken = self.values();
        var found = answer.results.filter(function (r) { return taken.indexOf(String(r.id)) < 0; });
        self.show(found.map(function (r) {
          var context = [r.organisation, r.unit, r.job_title].filter(Boolean).join(" · ");
          return { value: String(r.id), name: r.name, context: context, label: r.label };
        }), answer.more);
      })
      .catch(function () {
        if (asked === self.asked) { self.close(); self.status.textContent = say("failed"); }
      });
  };

  Picker.prototype.fromOptions = function (text) {
    var wanted = fold(text).split(/\s+/).filter(Boolean);
    var found = [];
    Array.prototype.forEach.call(this.select.options, function (option) {
      if (!option.value) return;
      var haystack = fold(option.text);
      if (wanted.every(function (word) { return haystack.indexOf(word) >= 0; })) {
        found.push({ value: option.value, name: option.text, context: "", label: option.text });
      }
    });
    if (this.multiple) {
      var taken = this.values();
      found = found.filter(function (r) { return taken.indexOf(r.value) < 0; });
    }
    return found;
  };

  Picker.prototype.show = function (found, more) {
    this.results = found.slice(0, LIMIT);
    this.active = -1;
    this.list.textContent = "";
    var self = this;
    this.results.forEach(function (result, index) {
      var item = element("li", "picker-option");
      item.id = self.id + "-option-" + index;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      item.dataset.index = String(index);
      item.appendChild(element("span", "picker-name", result.name));
      if (result.context) item.appendChild(element("span", "picker-context", result.context));
      self.list.appendChild(item);
    });
    this.input.removeAttribute("aria-activedescendant");
    this.list.hidden = this.results.length === 0;
    this.input.setAttribute("aria-expanded", String(!this.list.hidden));
    if (!this.results.length) {
      this.status.textContent = say("none");
    } else if (more || found.length > LIMIT) {
      this.status.textContent = say("more", LIMIT);
    } else {
      this.status.textContent = say("found", this.results.length);
    }
  };

  Picker.prototype.activate = function (index) {
    var items = this.list.querySelectorAll('[role="option"]');
    items.forEach(function (item, i) { item.setAttribute("aria-selected", String(i === index)); });
    this.active = index;
    this.input.setAttribute("aria-activedescendant", items[index].id);
    items[index].scrollIntoView({ block: "nearest" });
  };

  Picker.prototype.close = function () {
    this.list.hidden = true;
    this.active = -1;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
  };

  Picker.prototype.option = function (result) {
    var found = Array.prototype.find.call(this.select.options, function (o) {
      return o.value === result.value;
    });
    if (!found) {
      found = new Option(result.label, result.value);
      this.select.add(found);
    }
    return found;
  };

  Picker.prototype.choose = function (index) {
    var result = this.results[index];
    if (!result) return;
    this.option(result).selected = true;
    this.close();
    this.status.textContent = say("picked", result.name);
    this.input.value = "";
    this.showChosen();
    this.select.dispatchEvent(new Event("change", { bubbles: true }));
  };

  Picker.prototype.values = function () {
    return Array.prototype.filter.call(this.select.options, function (o) { return o.selected; })
      .map(function (o) { return o.value; });
  };

  // A single picker shows its choice in the text box; a multiple one lists each, removable.
  Picker.prototype.showChosen = function () {
    var select = this.select;
    if (!this.multiple) {
      var current = select.selectedIndex >= 0 ? select.options[select.selectedIndex] : null;
      this.input.value = current && current.value ? current.text : "";
      return;
    }
    var self = this;
    this.chosen.textContent = "";
    Array.prototype.forEach.call(select.options, function (option) {
      if (!option.selected) return;
      var item = element("li", "", option.text + " ");
      var remove = element("button", "secondary", say("remove"));
      remove.type = "button";
      remove.appendChild(element("span", "visually-hidden", " " + option.text));
      remove.addEventListener("click", function () {
        option.selected = false;
        self.showChosen();
        self.input.focus();
        select.dispatchEvent(new Event("change", { bubbles: true }));
      });
      item.appendChild(remove);
      self.chosen.appendChild(item);
    });
    this.chosen.hidden = !this.chosen.children.length;
  };

  function enhance(root) {
    root.querySelectorAll("select[data-picker]:not([data-picker-ready])").forEach(function (select) {
      select.setAttribute("data-picker-ready", "");
      new Picker(select);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:afterSettle", function (event) { enhance(event.target); });
})();
