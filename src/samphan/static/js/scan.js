// The desk's camera: read a member card's QR code with the device camera (jsQR on frames
// drawn to a canvas; browsers give the camera to HTTPS pages and localhost only), put the
// code in the look-up box and send it, as a USB scanner would.
(function () {
  "use strict";

  function stop(video) {
    var stream = video.srcObject;
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    video.srcObject = null;
    video.closest("[data-scanner]").hidden = true;
  }

  function watch(video, canvas, input) {
    if (!video.srcObject) return;
    if (video.readyState === video.HAVE_ENOUGH_DATA) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      var context = canvas.getContext("2d", { willReadFrequently: true });
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      var frame = context.getImageData(0, 0, canvas.width, canvas.height);
      var code = window.jsQR(frame.data, frame.width, frame.height, { inversionAttempts: "dontInvert" });
      if (code && code.data) {
        stop(video);
        input.value = code.data;
        input.form.requestSubmit();
        return;
      }
    }
    window.requestAnimationFrame(function () { watch(video, canvas, input); });
  }

  document.addEventListener("click", function (event) {
    var start = event.target.closest("[data-scan-start]");
    var cancel = event.target.closest("[data-scan-stop]");
    var panel = document.querySelector("[data-scanner]");
    if (!panel || (!start && !cancel)) return;
    var video = panel.querySelector("video");
    if (cancel) { stop(video); return; }
    var message = panel.querySelector("[data-scan-message]");
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      panel.hidden = false;
      message.textContent = message.dataset.unavailable;
      return;
    }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (stream) {
        panel.hidden = false;
        message.textContent = "";
        video.srcObject = stream;
        video.setAttribute("playsinline", "");
        video.play();
        var input = document.querySelector("[data-desk-lookup] input[name=q]");
        watch(video, panel.querySelector("canvas"), input);
      })
      .catch(function () {
        panel.hidden = false;
        message.textContent = message.dataset.denied;
      });
  });
})();
