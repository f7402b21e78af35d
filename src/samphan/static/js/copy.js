// "Copy" beside a secret shown once (a new API token, a temporary password).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy-secret]");
  if (!button) return;
  const box = button.closest(".secret-box");
  const input = box.querySelector("[data-secret]");
  input.select();
  const done = () => { box.querySelector("[data-copied]").hidden = false; };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(input.value).then(done, () => document.execCommand("copy") && done());
  } else if (document.execCommand("copy")) {
    done();
  }
});
