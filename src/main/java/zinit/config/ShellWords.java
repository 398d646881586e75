package zinit.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a command line into argv the way a POSIX shell would split words, without any expansion:
 * single quotes are literal, double quotes allow backslash escapes of {@code " \ $ `} and newline,
 * a backslash outside quotes escapes the next character. Nothing is ever run through a shell.
 */
final class ShellWords {
  private ShellWords() {}

  /** @throws IllegalArgumentException for an unterminated quote or a trailing backslash */
  static List<String> split(String line) {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean inWord = false;
    int i = 0;
    int n = line.length();
    while (i < n) {
      char c = line.charAt(i);
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        if (inWord) {
          words.add(word.toString());
          word.setLength(0);
          inWord = false;
        }
        i++;
      } else if (c == '\'') {
        int end = line.indexOf('\'', i + 1);
        if (end < 0) throw new IllegalArgumentException("unterminated single quote at column " + (i + 1));
        word.append(line, i + 1, end);
        inWord = true;
        i = end + 1;
      } else if (c == '"') {
        i = doubleQuoted(line, i, word);
        inWord = true;
      } else if (c == '\\') {
        if (i + 1 >= n) throw new IllegalArgumentException("trailing backslash");
        char e = line.charAt(i + 1);
        if (e != '\n') word.append(e); // backslash-newline is a line continuation
        inWord = inWord || e != '\n';
        i += 2;
      } else {
        word.append(c);
        inWord = true;
        i++;
      }
    }
    if (inWord) words.add(word.toString());
    return words;
  }

  /** Appends the content of the double-quoted string opening at {@code open}; returns the index after it. */
  private static int doubleQuoted(String line, int open, StringBuilder word) {
    int i = open + 1;
    int n = line.length();
    while (i < n) {
      char c = line.charAt(i);
      if (c == '"') return i + 1;
      if (c == '\\' && i + 1 < n) {
        char e = line.charAt(i + 1);
        switch (e) {
          case '"', '\\', '$', '`' -> word.append(e);
          case '\n' -> {}
          default -> word.append('\\').append(e);
        }
        i += 2;
      } else {
        word.append(c);
        i++;
      }
    }
    throw new IllegalArgumentException("unterminated double quote at column " + (open + 1));
  }
}
