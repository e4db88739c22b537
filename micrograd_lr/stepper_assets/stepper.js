(function () {
  "use strict";

  // The functions the operation table's expressions call (their Python twins: stepper.FUNCTIONS).
  var F = {
    sigmoid: function (x) {
      if (x >= 0) { return 1 / (1 + Math.exp(-x)); }
      var e = Math.exp(x);
      return e / (1 + e);
    },
    softplus: function (t) { return (t > 0 ? t : 0) + Math.log1p(Math.exp(-Math.abs(t))); },
    step: function (x) { return x > 0 ? 1 : 0; },
    sum: function (xs) {  // Neumaier's compensated sum, close to Python's math.fsum
      var s = 0, c = 0;
      for (var i = 0; i < xs.length; i++) {
        var t = s + xs[i];
        c += Math.abs(s) >= Math.abs(xs[i]) ? (s - t) + xs[i] : (xs[i] - t) + s;
        s = t;
      }
      return s + c;
    },
    dot: function (xs, k) {
      var products = [], i;
      if (k === null || k === undefined) {
        var n = xs.length / 2;
        for (i = 0; i < n; i++) { products.push(xs[i] * xs[n + i]); }
      } else {
        for (i = 0; i < xs.length; i++) { products.push(xs[i] * k[i]); }
      }
      return F.sum(products);
    },
    partner: function (xs, k, i) {
      if (k !== null && k !== undefined) { return k[i]; }
      var n = xs.length / 2;
      return xs[(i + n) % (2 * n)];
    }
  };

  // Generated from ops.TABLE (expr, expr_local) when the page is written.
  var OPS = /*OPS*/{};

  // 4 significant digits like Python's %g (stepper.fmt).
  function fmt(x) {
    if (!isFinite(x)) { return String(x); }
    if (x === 0) { return "0"; }
    var parts = x.toExponential(3).split("e");
    var exponent = parseInt(parts[1], 10);
    var s;
    if (exponent < -4 || exponent >= 4) {
      var mantissa = parts[0].replace(/\.?0+$/, "");
      var e = Math.abs(exponent);
      s = mantissa + "e" + (exponent < 0 ? "-" : "+") + (e < 10 ? "0" : "") + e;
    } else {
      s = x.toFixed(3 - exponent);
      if (s.indexOf(".") >= 0) { s = s.replace(/\.?0+$/, ""); }
    }
    return s;
  }

  var DATA = JSON.parse(document.getElementById("mg-data").textContent);
  var nodes = DATA.nodes;
  var ROOT = DATA.root;
  var values = nodes.map(function (n) { return n.data; });
  var steps = [];
  var current = 0;
  var timer = null;

  var root = document.querySelector(".mg-stepper");
  var explanation = root.querySelector('[data-role="explanation"]');
  var counter = root.querySelector('[data-role="counter"]');
  var tbody = root.querySelector('[data-role="steps"] tbody');
  var playButton = root.querySelector('[data-action="play"]');
  var speed = root.querySelector('[data-role="speed"]');

  function fill(template, inputs, k) {
    return template.map(function (p) {
      if (typeof p === "string") { return p; }
      if (typeof p === "number") { return inputs[p]; }
      return fmt(p.k === null ? k : k[p.k]);
    }).join("");
  }

  // Forward with the current leaf values; returns null or the name of the node that is not finite.
  function compute(vals) {
    for (var i = 0; i < nodes.length; i++) {
      var n = nodes[i];
      if (n.kind !== "op") { continue; }
      var xs = n.parents.map(function (p) { return vals[p]; });
      vals[i] = OPS[n.op].forward(xs, n.k);
      if (!isFinite(vals[i])) { return n.name + " = " + fill(n.template, n.parents.map(function (p) { return nodes[p].term; }), n.k) + " is not a finite number"; }
    }
    return null;
  }

  function buildSteps(vals) {
    var R = nodes[ROOT].term, out = [], i, j;
    var shown = [];
    nodes.forEach(function (n, i) { if (n.kind === "leaf") { shown.push(n.name + " = " + fmt(vals[i])); } });
    out.push({kind: "start", text: "Start: the leaves are " + (shown.join(", ") || "none") +
      ". Forward goes left to right, then backward right to left."});
    for (i = 0; i < nodes.length; i++) {
      var n = nodes[i];
      if (n.kind !== "op") { continue; }
      var symbolic = fill(n.template, n.parents.map(function (p) { return nodes[p].term; }), n.k);
      var numeric = fill(n.template, n.parents.map(function (p) { return fmt(vals[p]); }), n.k);
      out.push({kind: "forward", node: i, op: i, field: "data", value: vals[i],
        text: n.name + " = " + symbolic + " = " + numeric + " = " + fmt(vals[i])});
    }
    out.push({kind: "zero", field: "grad", value: 0, text: "zero_grad(): every gradient is set to 0 before backward. " +
      "Gradients are added up with +=, so calling backward() again without zero_grad() would add every contribution a second time."});
    out.push({kind: "seed", node: ROOT, field: "grad", value: 1, text: "∂" + R + "/∂" + R + " = 1: backward starts at " + R + "."});
    var uses = nodes.map(function () { return 0; });
    nodes.forEach(function (n) { (n.parents || []).forEach(function (p) { uses[p] += 1; }); });
    var grads = nodes.map(function () { return 0; });
    grads[ROOT] = 1;
    var seen = nodes.map(function () { return 0; });
    for (i = nodes.length - 1; i >= 0; i--) {
      var node = nodes[i];
      if (node.kind !== "op") { continue; }
      var xs = node.parents.map(function (p) { return vals[p]; });
      var local = OPS[node.op].local(xs, vals[i], node.k);
      for (j = 0; j < node.parents.length; j++) {
        var p = node.parents[j];
        if (nodes[p].kind === "const") { continue; }
        var d = local[j];
        var contribution = grads[i] * d;
        var old = grads[p];
        grads[p] = old + contribution;
        seen[p] += 1;
        var pn = nodes[p].term, o = node.term;
        var more = uses[p] > 1 ? " (contribution " + seen[p] + " of " + uses[p] + ": " + pn + " is used " + uses[p] + " times)" : "";
        out.push({kind: "backward", node: p, op: i, edge: "e" + i + "_" + j, field: "grad", value: grads[p],
          text: "∂" + R + "/∂" + pn + " += ∂" + R + "/∂" + o + " · ∂" + o + "/∂" + pn + " = " +
            fmt(grads[i]) + " · " + fmt(d) + " = " + fmt(contribution) + ", so ∂" + R + "/∂" + pn + " = " +
            fmt(old) + " + " + fmt(contribution) + " = " + fmt(grads[p]) + more});
      }
    }
    return out;
  }

  var PHASE = {start: "start", forward: "forward", zero: "zero_grad", seed: "backward", backward: "backward"};

  function buildTable() {
    while (tbody.firstChild) { tbody.removeChild(tbody.firstChild); }
    steps.forEach(function (s, i) {
      var tr = document.createElement("tr");
      [String(i), PHASE[s.kind], s.text].forEach(function (t) {
        var td = document.createElement("td");
        td.textContent = t;
        tr.appendChild(td);
      });
      tbody.appendChild(tr);
    });
  }

  function group(id) { return document.getElementById(id); }

  // The data and grad texts of value i's box and of each of its dashed copies (drawn next to far uses).
  function texts(i) {
    var ids = ["v" + i].concat(nodes[i].copies || []);
    var out = [];
    ids.forEach(function (id) {
      var g = group(id);
      var t = g ? g.querySelectorAll("text") : [];
      if (t.length >= 3) { out.push({data: t[t.length - 2], grad: t[t.length - 1]}); }
    });
    return out;
  }

  function render() {
    var shownData = nodes.map(function (n, i) { return n.kind === "op" ? null : values[i]; });
    var shownGrad = nodes.map(function () { return null; });
    for (var i = 1; i <= current; i++) {
      var s = steps[i];
      if (s.kind === "forward") { shownData[s.node] = s.value; }
      else if (s.kind === "zero") { shownGrad = nodes.map(function () { return 0; }); }
      else { shownGrad[s.node] = s.value; }
    }
    var step = steps[current];
    Array.prototype.forEach.call(document.querySelectorAll(".graph .current"), function (el) { el.classList.remove("current"); });
    Array.prototype.forEach.call(document.querySelectorAll(".graph .changed"), function (el) { el.classList.remove("changed"); });
    nodes.forEach(function (n, i) {
      texts(i).forEach(function (t) {
        t.data.textContent = "data " + (shownData[i] === null ? "?" : fmt(shownData[i]));
        t.grad.textContent = "grad " + (shownGrad[i] === null ? "·" : fmt(shownGrad[i]));
        if (step.kind === "zero" || (step.node === i && step.kind !== "start")) {
          t[step.field].classList.add("changed");
        }
      });
    });
    var marked = [];
    if (step.kind === "forward") {
      marked = ["o" + step.op, "v" + step.node, "r" + step.op];
      nodes[step.op].parents.forEach(function (_, j) { marked.push("e" + step.op + "_" + j); });
    } else if (step.kind === "seed") {
      marked = ["v" + step.node];
    } else if (step.kind === "backward") {
      marked = [step.edge, "c" + step.edge.slice(1), "v" + step.node, "o" + step.op];  // c{i}_{j}: a copy, if drawn
    }
    marked.forEach(function (id) { var g = group(id); if (g) { g.classList.add("current"); } });
    explanation.classList.remove("error");
    explanation.textContent = step.text;
    counter.textContent = "Step " + current + " of " + (steps.length - 1);
    Array.prototype.forEach.call(tbody.rows, function (tr, i) {
      tr.classList.toggle("current", i === current);
      if (i === current) { tr.setAttribute("aria-current", "step"); } else { tr.removeAttribute("aria-current"); }
    });
  }

  function go(n) {
    current = Math.max(0, Math.min(steps.length - 1, n));
    render();
  }

  function pause() {
    if (timer !== null) { clearInterval(timer); timer = null; }
    playButton.setAttribute("aria-pressed", "false");
    playButton.textContent = "Play";
  }

  function play() {
    if (current >= steps.length - 1) { go(0); }
    playButton.setAttribute("aria-pressed", "true");
    playButton.textContent = "Pause";
    timer = setInterval(function () {
      if (current >= steps.length - 1) { pause(); return; }
      go(current + 1);
    }, parseInt(speed.value, 10));
  }

  function toggle() { if (timer === null) { play(); } else { pause(); } }

  var actions = {
    next: function () { pause(); go(current + 1); },
    back: function () { pause(); go(current - 1); },
    reset: function () { pause(); go(0); },
    play: toggle
  };
  Array.prototype.forEach.call(root.querySelectorAll("button[data-action]"), function (b) {
    b.addEventListener("click", function () { actions[b.getAttribute("data-action")](); });
  });
  speed.addEventListener("change", function () { if (timer !== null) { pause(); play(); } });

  document.addEventListener("keydown", function (e) {
    var tag = e.target && e.target.tagName;
    if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA") { return; }
    if (tag === "BUTTON" && (e.key === " " || e.key === "Enter")) { return; }  // the button's own action
    if (e.key === "ArrowRight") { actions.next(); }
    else if (e.key === "ArrowLeft") { actions.back(); }
    else if (e.key === " ") { toggle(); }
    else if (e.key === "Home") { actions.reset(); }
    else { return; }
    e.preventDefault();
  });

  // The leaves the learner can edit.
  var fieldset = root.querySelector('[data-role="leaves"]');
  nodes.forEach(function (n, i) {
    if (n.kind !== "leaf") { return; }
    var label = document.createElement("label");
    var name = document.createElement("span");
    name.textContent = n.name;
    var input = document.createElement("input");
    input.type = "number";
    input.step = "any";
    input.value = String(n.data);
    input.setAttribute("data-input", n.hook);
    input.addEventListener("input", function () {
      var x = input.value.trim() === "" ? NaN : Number(input.value);
      var trial = values.slice();
      trial[i] = x;
      var problem = isFinite(x) ? compute(trial) : n.name + " must be a finite number";
      if (problem === null) {
        var trialSteps = buildSteps(trial);
        if (!trialSteps.every(function (s) { return s.value === undefined || isFinite(s.value); })) {
          problem = "a gradient is not a finite number with " + n.name + " = " + fmt(x);
        } else {
          input.removeAttribute("aria-invalid");
          values = trial;
          steps = trialSteps;
          buildTable();
          go(current);
          return;
        }
      }
      input.setAttribute("aria-invalid", "true");
      explanation.classList.add("error");
      explanation.textContent = "Cannot recompute: " + problem + ". The page keeps the last values that worked.";
    });
    label.appendChild(name);
    label.appendChild(input);
    fieldset.appendChild(label);
  });

  // Stable hooks for users' styles and for tests.
  nodes.forEach(function (n, i) {
    var g = group("v" + i);
    if (g) { g.setAttribute("data-node", n.hook); }
    (n.copies || []).forEach(function (id) { var c = group(id); if (c) { c.setAttribute("data-copy-of", n.hook); } });
    if (n.kind !== "op") { return; }
    var og = group("o" + i);
    if (og) { og.setAttribute("data-op", n.op); }
    n.parents.forEach(function (p, j) {
      var e = group("e" + i + "_" + j);
      if (e) { e.setAttribute("data-edge", nodes[p].hook + "→" + n.hook); }
    });
    var r = group("r" + i);
    if (r) { r.setAttribute("data-edge", n.op + "→" + n.hook); }
  });

  compute(values);
  steps = buildSteps(values);
  buildTable();
  go(0);

  window.micrograd = {
    ops: OPS,
    fmt: fmt,
    go: go,
    steps: function () { return steps.map(function (s) { return s.text; }); },
    state: function () {
      return {step: current, total: steps.length - 1, values: values.slice(),
        grads: buildGrads()};
    }
  };

  function buildGrads() {
    var grads = nodes.map(function () { return 0; });
    steps.forEach(function (s) { if (s.kind === "seed" || s.kind === "backward") { grads[s.node] = s.value; } });
    return grads;
  }
})();
