// The HMTL demo page: sends the text to `predict` and draws the prediction JSON.
// Every drawn mark carries data-task, data-type, data-start, data-end (token offsets, end
// exclusive) and, for coreference, data-cluster, so that a test can compare the page with the JSON.
"use strict";

(function () {
  const STANDARD_PANELS = [
    { task: "ner", title: "Named entities (NER)" },
    { task: "emd", title: "Entity mentions (EMD)" },
    { task: "relation", title: "Relations" },
    { task: "coref", title: "Coreference" },
  ];
  const KIND_ORDER = { spans: 0, relations: 1, clusters: 2 };
  const SVG_NS = "http://www.w3.org/2000/svg";
  // Fixed hues for the ACE and OntoNotes types, so that a type looks the same in every panel.
  const TYPE_HUES = {
    PER: 210, PERSON: 210, ORG: 130, GPE: 30, LOC: 280, FAC: 0, VEH: 175, WEA: 330,
    NORP: 55, DATE: 95, TIME: 95, MONEY: 250, PERCENT: 250, CARDINAL: 195, ORDINAL: 195,
    EVENT: 15, PRODUCT: 300, LAW: 240, LANGUAGE: 70, QUANTITY: 160, WORK_OF_ART: 345, MISC: 45,
    PHYS: 20, "PART-WHOLE": 140, "ORG-AFF": 225, ART: 300, "GEN-AFF": 45, "PER-SOC": 345,
  };

  // Past this many, relations are listed but not drawn: an untrained model can relate every
  // pair of tokens, and thousands of arrows make the page unusable.
  const MAX_ARROWS = 500;
  const arcRedraws = [];

  function hueOf(type) {
    if (Object.prototype.hasOwnProperty.call(TYPE_HUES, type)) {
      return TYPE_HUES[type];
    }
    let hash = 2166136261;
    for (let i = 0; i < type.length; i += 1) {
      hash ^= type.charCodeAt(i);
      hash = Math.imul(hash, 16777619);
    }
    return (hash >>> 0) % 360;
  }

  // A hue of null (an argument without a type) is drawn grey.
  function fill(hue) { return hue === null ? "#e4e7ec" : `hsl(${hue}, 80%, 85%)`; }
  function stroke(hue) { return hue === null ? "#667085" : `hsl(${hue}, 60%, 38%)`; }
  function clusterHue(index) { return Math.round((index * 137.508) % 360); }

  function element(tag, attributes, text) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      node.setAttribute(name, String(value));
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function svgElement(tag, attributes) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      node.setAttribute(name, String(value));
    }
    return node;
  }

  // The document's text with `marks` ({start, end, data, hue, tag, title}, token offsets) drawn
  // as nested <mark> elements; the original spacing between tokens is kept.
  function renderText(doc, marks) {
    const container = element("div", { class: "doc" });
    // The server's character offsets count code points (Python strings); JavaScript strings
    // count UTF-16 units, which differ from the first emoji on.
    const characters = Array.from(doc.text);
    const slice = (start, end) => characters.slice(start, end).join("");
    const tokens = doc.tokens;
    const sorted = marks.slice().sort((a, b) => a.start - b.start || b.end - a.end);
    const stack = [{ node: container, end: Infinity }];
    let next = 0;
    let position = 0;
    const top = () => stack[stack.length - 1];
    const closeUntil = (index) => {
      while (stack.length > 1 && top().end <= index) {
        stack.pop();
      }
    };
    tokens.forEach((token, index) => {
      closeUntil(index);
      if (token.start > position) {
        top().node.append(slice(position, token.start));
      }
      while (next < sorted.length && sorted[next].start <= index) {
        const mark = sorted[next];
        next += 1;
        const node = element("mark", mark.data);
        node.style.background = fill(mark.hue);
        node.style.borderBottomColor = stroke(mark.hue);
        node.title = mark.title;
        top().node.append(node);
        stack.push({ node, end: Math.min(mark.end, top().end), tag: mark.tag });
      }
      top().node.append(slice(token.start, token.end));
      position = token.end;
      // Tags go after the last token of their mark.
      for (let depth = stack.length - 1; depth > 0 && stack[depth].end === index + 1; depth -= 1) {
        if (stack[depth].tag) {
          stack[depth].node.append(element("span", { class: "tag" }, stack[depth].tag));
        }
      }
    });
    closeUntil(Infinity);
    if (position < characters.length) {
      container.append(slice(position, characters.length));
    }
    return container;
  }

  function spanData(task, span, extra) {
    const data = { "data-task": task, "data-start": span.start, "data-end": span.end };
    if (span.type !== undefined) {
      data["data-type"] = span.type;
    }
    return Object.assign(data, extra || {});
  }

  function spanTitle(span, label) {
    return `${label}: "${span.text}" (tokens ${span.start}-${span.end}, ` +
      `characters ${span.char_start}-${span.char_end})`;
  }

  function legend(entries) {
    const list = element("ul", { class: "legend" });
    for (const entry of entries) {
      const item = element("li");
      const swatch = element("span", { class: "swatch" });
      swatch.style.background = entry.colour;
      item.append(swatch, entry.label);
      list.append(item);
    }
    return list;
  }

  function typeLegend(types) {
    return legend([...new Set(types)].sort().map((type) => ({
      colour: fill(hueOf(type)), label: type,
    })));
  }

  // Arcs above the text from one mark to another ({from, to, hue, label, data}); drawn after
  // layout, and again when the window is resized.
  function attachArcs(panel, doc, arcs) {
    if (arcs.length === 0) {
      return;
    }
    doc.classList.add("with-arcs");
    const svg = svgElement("svg", { class: "arcs" });
    doc.append(svg);
    const draw = () => {
      svg.replaceChildren();
      const box = doc.getBoundingClientRect();
      svg.setAttribute("width", box.width);
      svg.setAttribute("height", box.height);
      const defs = svgElement("defs");
      svg.append(defs);
      arcs.forEach((arc) => {
        const from = arc.from && arc.from.getClientRects()[0];
        const to = arc.to && arc.to.getClientRects()[0];
        if (!from || !to) {
          return;
        }
        const x1 = from.left + from.width / 2 - box.left;
        const x2 = to.left + to.width / 2 - box.left;
        const y1 = from.top - box.top - 1;
        const y2 = to.top - box.top - 1;
        // Longer arcs rise higher, so that nested arcs stay apart.
        const lift = 14 + Math.min(24, Math.abs(x2 - x1) / 10);
        const yc = Math.min(y1, y2) - lift;
        const colour = stroke(arc.hue);
        // One arrow head per colour, shared by the arcs of that colour.
        const markerId = `arrow-${panel.dataset.task}-${arc.hue === null ? "none" : arc.hue}`;
        if (!defs.querySelector(`[id="${markerId}"]`)) {
          const marker = svgElement("marker", {
            id: markerId, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7,
            markerHeight: 7, orient: "auto-start-reverse",
          });
          marker.append(svgElement("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: colour }));
          defs.append(marker);
        }
        const group = svgElement("g", arc.data);
        const path = svgElement("path", {
          d: `M ${x1} ${y1} C ${x1} ${yc}, ${x2} ${yc}, ${x2} ${y2}`,
          fill: "none", stroke: colour, "stroke-width": 1.6,
        });
        if (arc.arrow) {
          path.setAttribute("marker-end", `url(#${markerId})`);
        } else {
          path.setAttribute("stroke-dasharray", "4 3");
        }
        group.append(path);
        if (arc.label) {
          const label = svgElement("text", {
            x: (x1 + x2) / 2, y: yc + 0.75 * (Math.min(y1, y2) - yc) - 2,
            "text-anchor": "middle", fill: colour,
          });
          label.textContent = arc.label;
          group.append(label);
        }
        svg.append(group);
      });
    };
    arcRedraws.push(draw);
    requestAnimationFrame(draw);
  }

  function spansPanel(panel, prediction, task) {
    const spans = prediction[task] || [];
    panel.append(typeLegend(spans.map((span) => span.type)));
    panel.append(renderText(prediction, spans.map((span) => ({
      start: span.start, end: span.end, hue: hueOf(span.type), tag: span.type,
      data: spanData(task, span), title: spanTitle(span, span.type),
    }))));
    return spans.length;
  }

  function relationsPanel(panel, prediction, task) {
    const relations = prediction[task] || [];
    panel.append(typeLegend(relations.map((relation) => relation.type)));
    const argumentsByRange = new Map();
    for (const relation of relations) {
      for (const span of [relation.arg1, relation.arg2]) {
        argumentsByRange.set(`${span.start}:${span.end}`, span);
      }
    }
    const doc = renderText(prediction, [...argumentsByRange.values()].map((span) => ({
      start: span.start, end: span.end, hue: span.type === undefined ? null : hueOf(span.type),
      tag: span.type, data: spanData(task, span, { "data-role": "argument" }),
      title: spanTitle(span, "argument"),
    })));
    panel.append(doc);
    const markOf = (span) => doc.querySelector(
      `mark[data-start="${span.start}"][data-end="${span.end}"]`);
    if (relations.length > MAX_ARROWS) {
      panel.append(element("p", { class: "note" }, `Only the first ${MAX_ARROWS} of ` +
        `${relations.length} relations are drawn as arrows; all are in the list below.`));
    }
    attachArcs(panel, doc, relations.slice(0, MAX_ARROWS).map((relation) => ({
      from: markOf(relation.arg1), to: markOf(relation.arg2), hue: hueOf(relation.type),
      label: relation.type, arrow: true,
      data: {
        class: "relation", "data-task": task, "data-type": relation.type,
        "data-arg1-start": relation.arg1.start, "data-arg1-end": relation.arg1.end,
        "data-arg2-start": relation.arg2.start, "data-arg2-end": relation.arg2.end,
      },
    })));
    if (relations.length > 0) {
      const details = element("details", { class: "relation-list" });
      details.append(element("summary", {}, "List of relations"));
      const list = element("ol");
      for (const relation of relations) {
        list.append(element("li", {},
          `${relation.arg1.text} → ${relation.arg2.text}: ${relation.type}`));
      }
      details.append(list);
      panel.append(details);
    }
    return relations.length;
  }

  function clustersPanel(panel, prediction, task) {
    const clusters = prediction[task] || [];
    panel.append(legend(clusters.map((cluster, index) => ({
      colour: fill(clusterHue(index)),
      label: `cluster ${cluster.id}: ${cluster.mentions.map((m) => m.text).join(", ")}`,
    }))));
    const marks = [];
    clusters.forEach((cluster, index) => {
      for (const mention of cluster.mentions) {
        marks.push({
          start: mention.start, end: mention.end, hue: clusterHue(index), tag: String(cluster.id),
          data: spanData(task, mention, { "data-cluster": cluster.id }),
          title: spanTitle(mention, `cluster ${cluster.id}`),
        });
      }
    });
    const doc = renderText(prediction, marks);
    panel.append(doc);
    const arcs = [];
    clusters.forEach((cluster, index) => {
      const nodes = cluster.mentions.map((mention) => doc.querySelector(
        `mark[data-cluster="${cluster.id}"][data-start="${mention.start}"]` +
        `[data-end="${mention.end}"]`));
      for (let i = 1; i < nodes.length; i += 1) {
        arcs.push({
          from: nodes[i - 1], to: nodes[i], hue: clusterHue(index), arrow: false,
          data: { class: "coref-arc", "data-task": task, "data-cluster": cluster.id },
        });
      }
    });
    attachArcs(panel, doc, arcs);
    return clusters.length;
  }

  const RENDERERS = {
    spans: [spansPanel, "span", "spans"],
    relations: [relationsPanel, "relation", "relations"],
    clusters: [clustersPanel, "cluster", "clusters"],
  };

  function titleOf(task) {
    const standard = STANDARD_PANELS.find((panel) => panel.task === task);
    return standard ? standard.title : task;
  }

  function render(prediction) {
    const results = document.getElementById("results");
    results.replaceChildren();
    arcRedraws.length = 0;
    const tasks = Object.entries(prediction.tasks || {}).sort(
      (a, b) => (KIND_ORDER[a[1]] ?? 9) - (KIND_ORDER[b[1]] ?? 9));
    for (const [task, kind] of tasks) {
      const renderer = RENDERERS[kind];
      if (!renderer) {
        continue;
      }
      const panel = element("section", { class: "panel", "data-task": task, "data-kind": kind });
      const heading = element("h2", {}, titleOf(task));
      panel.append(heading);
      results.append(panel);
      const count = renderer[0](panel, prediction, task);
      heading.append(element("span", { class: "count" },
        `${count} ${count === 1 ? renderer[1] : renderer[2]}`));
      if (count === 0) {
        panel.append(element("p", { class: "empty" }, `No ${renderer[2]} predicted.`));
      }
    }
    const missing = STANDARD_PANELS.filter((panel) => !(panel.task in (prediction.tasks || {})));
    const note = document.getElementById("missing-note");
    note.hidden = missing.length === 0;
    note.textContent = missing.length === 0 ? "" : "Hidden panels: this model has no head for " +
      missing.map((panel) => `${panel.title} ("${panel.task}")`).join(", ") + ".";
    const warnings = document.getElementById("warnings");
    const messages = prediction.warnings || [];
    warnings.hidden = messages.length === 0;
    warnings.textContent = messages.join(" ");
    requestAnimationFrame(() => {
      results.dataset.state = "done";
    });
  }

  function showError(message) {
    const box = document.getElementById("error");
    box.textContent = message;
    box.hidden = false;
    document.getElementById("results").dataset.state = "error";
  }

  async function analyse(event) {
    event.preventDefault();
    const button = document.getElementById("submit");
    const status = document.getElementById("status");
    const results = document.getElementById("results");
    document.getElementById("error").hidden = true;
    results.dataset.state = "loading";
    button.disabled = true;
    status.textContent = "Analysing…";
    const started = performance.now();
    try {
      const response = await fetch("predict", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ text: document.getElementById("text").value }),
      });
      let body;
      try {
        body = await response.json();
      } catch (error) {
        throw new Error(`the server answered ${response.status} without JSON`);
      }
      if (!response.ok) {
        throw new Error(body.error || `the server answered ${response.status}`);
      }
      render(body);
      status.textContent = `Done in ${Math.round(performance.now() - started)} ms.`;
    } catch (error) {
      status.textContent = "";
      showError(`Error: ${error.message}`);
    } finally {
      button.disabled = false;
    }
  }

  async function showModel() {
    try {
      const response = await fetch("health");
      const health = await response.json();
      if (response.ok) {
        const tasks = Object.entries(health.tasks).map(([task, kind]) => `${task} (${kind})`);
        document.getElementById("model-info").textContent =
          `Model: ${health.model} · heads: ${tasks.join(", ")}`;
      }
    } catch (error) {
      document.getElementById("model-info").textContent = "";
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.getElementById("input-form").addEventListener("submit", analyse);
    window.addEventListener("resize", () => arcRedraws.forEach((draw) => draw()));
    showModel();
  });
})();
