// The language switcher (templates/language_switcher.html): choosing a language reloads the page
// in it at once.
"use strict";

document.querySelectorAll(".language-switcher select").forEach((select) => {
  select.addEventListener("change", () => select.form.submit());
});
