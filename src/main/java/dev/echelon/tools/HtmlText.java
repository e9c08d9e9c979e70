package dev.echelon.tools;

/** An HTML page reduced to what a model needs: its title and its readable text. */
record HtmlText(String title, String text) {}
