/*
 * Mantine's components that float over the page (Select's dropdown, Tooltip, Menu, Modal) and the
 * positioning and focus code under them (floating-ui, react-remove-scroll): one chunk, loaded by
 * `usePopupComponents` once a screen wants one, after its first rows rather than before them.
 */
export { Menu, Modal, Select, Tooltip } from '@mantine/core';
