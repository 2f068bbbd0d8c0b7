# Makes the replay page's files (src/trace/page/) into C strings, as
# xxd -i would, for src/trace/replay_html.c: the page ships inside the
# program, with no JS build step. cmake -DDIR=... -DOUT=... -P embed_page.cmake
set(text "/* Made by cmake/embed_page.cmake from src/trace/page/: do not edit. */\n")
foreach(pair "template:template.html" "css:replay.css" "js:replay.js")
  string(REPLACE ":" ";" pair "${pair}")
  list(GET pair 0 name)
  list(GET pair 1 file)
  file(READ "${DIR}/${file}" hex HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" bytes "${bytes}")
  string(APPEND text "const char replay_page_${name}[] = {\n${bytes}0x00 };\n")
endforeach()
file(WRITE "${OUT}.tmp" "${text}")
file(RENAME "${OUT}.tmp" "${OUT}")
