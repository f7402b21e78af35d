// Arrival alerts: every staff page asks the server each second whether the arrivals to
// greet changed (the server answers 204 while they have not), swaps in the cards when
// they did, and beeps for a new one if this screen's sound is on. Polling, not a held
// connection: see docs/decisions.md.
(function () {
  "use strict";
  var PERIOD_MS = 1000;
  var SOUND_KEY = "samphan.arrivalSound";
  var audio = null;

  function beep() {
    if (!audio) return;
    var oscillator = audio.createOscillator();
    var gain = audio.createGain();
    oscillator.frequency.value = 880;
    gain.gain.setValueAtTime(0.2, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.6);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start();
    oscillator.stop(audio.currentTime + 0.6);
  }

  function ids(box) {
    return Array.prototype.map.call(box.querySelectorAll("[data-alert]"), function (card) {
      return card.dataset.alert;
    });
  }

  function poll(box) {
    var url = box.dataset.feed + "&state=" + encodeURIComponent(box.dataset.state || "");
    fetch(url, { credentials: "same-origin" })
      .then(function (response) {
        if (response.status !== 200) return null;
        box.dataset.state = response.headers.get("X-Alerts-State") || "";
        return response.text();
      })
      .then(function (html) {
        if (html === null) return;
        var before = ids(box);
        box.innerHTML = html;
        if (window.htmx) window.htmx.process(box);
        var arrived = ids(box).some(function (id) { return before.indexOf(id) < 0; });
        if (arrived && box.dataset.polled) beep();
        // The tray floats over the page: the page ends that much lower, so nothing
        // (a form's Save button) stays hidden under it.
        if (box.classList.contains("arrival-tray")) {
          document.documentElement.style.setProperty("--tray-height", box.offsetHeight + "px");
        }
      })
      .catch(function () {})  // offline for a moment: the next round tries again
      .then(function () {
        box.dataset.polled = "1";
        window.setTimeout(function () { poll(box); }, PERIOD_MS);
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var toggle = document.querySelector("[data-alert-sound]");
    var soundOn = window.localStorage.getItem(SOUND_KEY) === "1";
    // Browsers let a page make sound only after a click on it.
    document.addEventListener("click", function () {
      if (window.localStorage.getItem(SOUND_KEY) === "1" && !audio) audio = new AudioContext();
    });
    if (toggle) {
      toggle.checked = soundOn;
      toggle.addEventListener("change", function () {
        window.localStorage.setItem(SOUND_KEY, toggle.checked ? "1" : "0");
        if (toggle.checked && !audio) audio = new AudioContext();  // needs this click
      });
    }
    document.querySelectorAll("[data-alerts][data-feed]").forEach(function (box) { poll(box); });
  });
})();
