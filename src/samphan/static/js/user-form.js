// The new-user form: the password field only when "set a password now" is chosen.
(() => {
  const form = document.querySelector("[data-user-form]");
  const password = form && form.querySelector("input[name=password]");
  if (!password) return;
  const field = password.closest(".field");
  const show = () => {
    const chosen = form.querySelector("input[name=access]:checked");
    field.hidden = !chosen || chosen.value !== "password";
  };
  form.addEventListener("change", show);
  show();
})();
